import type { SwarmSpec } from '../../shared/swarm-spec.js';
import {
  BudgetExceededError,
  describeOverrun,
  runSwarm,
  SwarmRunError,
  type ProviderRegistry,
  type SwarmBudget,
  type SwarmResult,
} from '../../server/swarms/index.js';
import type { SpendLedger } from './spend-ledger.js';
import type { SpendLimit } from './spend-limit.js';

/** A run stopped because the node's limit per window ran out (not because the todo is too big). */
export class SpendLimitReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpendLimitReached';
  }
}

export interface MeteredRunOptions {
  todoId: number;
  providers: ProviderRegistry;
  signal: AbortSignal;
  /** The node's budget per todo. */
  perTodo?: SwarmBudget | undefined;
  /** Where every run's spending is recorded. */
  ledger?: SpendLedger | undefined;
  /** The node's limit per window, which caps each run at what is left of it. */
  limit?: SpendLimit | undefined;
}

/**
 * Runs a todo's swarm within the node's budget per todo and what is left of its limit per day,
 * and records what the run spent (finished or stopped: a stopped run's calls are paid for too).
 * Throws SpendLimitReached when the day's limit, not the todo's, stopped it.
 */
export async function meteredRun(spec: SwarmSpec, options: MeteredRunOptions): Promise<SwarmResult> {
  const { budget, fromWindow } = options.limit?.budgetForRun(options.perTodo) ?? { budget: options.perTodo, fromWindow: [] };
  let usage: SwarmResult['usage'] | undefined;
  try {
    const result = await runSwarm(spec, { providers: options.providers, signal: options.signal, ...(budget ? { budget } : {}) });
    usage = result.usage;
    return result;
  } catch (error) {
    if (error instanceof SwarmRunError) usage = error.partial?.usage;
    if (error instanceof BudgetExceededError && fromWindow.includes(error.overrun.limit)) {
      throw new SpendLimitReached(`this node's limit of ${options.limit!.describe()} is reached: ${describeOverrun(error.overrun)} (what was left of it)`);
    }
    throw error;
  } finally {
    if (usage && options.ledger) {
      const calls = Object.values(usage.billing_info.cost_breakdown).reduce((sum, agent) => sum + agent.calls, 0);
      options.ledger.record({ todoId: options.todoId, at: Date.now(), costUsd: usage.billing_info.total_cost, tokens: usage.total_tokens, calls });
    }
  }
}
