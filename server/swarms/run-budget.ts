import { z } from 'zod';
import { SwarmRunError } from './errors.js';

/**
 * Limits on what one swarm run may spend on models: whoever pays for the calls (a node runner
 * with its own keys, an operator serving the swarm API) decides how much one work item may
 * cost, whatever the spec asks for. Each limit is optional; absent means unlimited.
 */
export const SwarmBudgetSchema = z.object({
  /** Model calls started (every agent turn, prompt writing, routing, planning…). */
  maxCalls: z.number().int().positive().optional(),
  /** Input + output tokens, as the providers report them. */
  maxTokens: z.number().int().positive().optional(),
  /** US dollars, at the price table's rates (calls to models without a price count as free). */
  maxCostUsd: z.number().positive().finite().optional(),
});

export type SwarmBudget = z.infer<typeof SwarmBudgetSchema>;

export const isUnlimited = (budget: SwarmBudget | undefined): boolean =>
  budget === undefined || (budget.maxCalls === undefined && budget.maxTokens === undefined && budget.maxCostUsd === undefined);

const count = (n: number) => n.toLocaleString('en-US');
/** Dollars to the cent when that is exact ("$0.50"), else to 1/100 of a cent, or two significant digits for tiny amounts ("$0.000058"). */
export function formatUsd(usd: number): string {
  if (Math.abs(usd - Math.round(usd * 100) / 100) < 1e-9) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(4)}`;
  return `$${Number(usd.toPrecision(2))}`;
}

/** Which limit a run crossed, and by how much. */
export interface BudgetOverrun {
  limit: keyof SwarmBudget;
  used: number;
  max: number;
}

/** "4 model calls made, the limit is 4" and the like. */
export function describeOverrun({ limit, used, max }: BudgetOverrun): string {
  switch (limit) {
    case 'maxCalls':
      return `${count(used)} model ${used === 1 ? 'call' : 'calls'} made, the limit is ${count(max)}`;
    case 'maxTokens':
      return `${count(used)} tokens used, the limit is ${count(max)}`;
    case 'maxCostUsd':
      return `${formatUsd(used)} spent, the limit is ${formatUsd(max)}`;
  }
}

/** The run crossed a limit of its budget (SwarmRunError code `budget`). */
export class BudgetExceededError extends SwarmRunError {
  constructor(
    readonly overrun: BudgetOverrun,
    agentName: string,
  ) {
    super(`over the run's budget: ${describeOverrun(overrun)}`, 'budget', agentName);
  }
}

/**
 * Keeps a run's running totals against its budget. A call is refused before it starts once the
 * call limit is reached; the token and cost limits are checked as each call ends (what a call
 * will use is not known before), and crossing one stops the run: calls in flight are cut off.
 * Either way the whole run stops through `stop`, not just the agent that hit the limit.
 */
export class RunBudget {
  private calls = 0;
  private tokens = 0;
  private costUsd = 0;

  constructor(
    private readonly budget: SwarmBudget,
    /** Ends the run with this error (aborts its signal). */
    private readonly stop: (error: SwarmRunError) => void,
  ) {}

  /** Before a model call: counts it, or stops the run and throws if the call limit is reached. */
  beforeCall(agentName: string): void {
    const { maxCalls } = this.budget;
    if (maxCalls !== undefined && this.calls >= maxCalls) throw this.exceeded({ limit: 'maxCalls', used: this.calls, max: maxCalls }, agentName);
    this.calls += 1;
  }

  /** After a model call: adds what it used; stops the run if that crossed a limit. */
  afterCall(agentName: string, tokens: number, costUsd: number): void {
    this.tokens += tokens;
    this.costUsd += costUsd;
    const { maxTokens, maxCostUsd } = this.budget;
    if (maxTokens !== undefined && this.tokens > maxTokens) throw this.exceeded({ limit: 'maxTokens', used: this.tokens, max: maxTokens }, agentName);
    if (maxCostUsd !== undefined && this.costUsd > maxCostUsd) throw this.exceeded({ limit: 'maxCostUsd', used: this.costUsd, max: maxCostUsd }, agentName);
  }

  private exceeded(overrun: BudgetOverrun, agentName: string): BudgetExceededError {
    const error = new BudgetExceededError(overrun, agentName);
    this.stop(error);
    return error;
  }
}
