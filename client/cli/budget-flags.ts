import type { SwarmBudget } from '../../server/swarms/run-budget.js';
import { CliError } from './output.js';

/** One limit as given (flag, else environment variable): a positive number, or absent. */
export interface LimitSource {
  /** How the message names it: `--max-calls` or `--max-calls-per-todo / SWARMTASK_MAX_CALLS_PER_TODO`. */
  name: string;
  text: string | undefined;
}

function readLimit({ name, text }: LimitSource, integer: boolean): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CliError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`, 2);
  }
  return n;
}

/** A swarm budget from command-line limits (a node's day has no call limit); bad values exit 2 naming the flag. */
export function budgetFromLimits(limits: { calls?: LimitSource; tokens: LimitSource; costUsd: LimitSource }): SwarmBudget {
  const maxCalls = limits.calls ? readLimit(limits.calls, true) : undefined;
  const maxTokens = readLimit(limits.tokens, true);
  const maxCostUsd = readLimit(limits.costUsd, false);
  return { ...(maxCalls ? { maxCalls } : {}), ...(maxTokens ? { maxTokens } : {}), ...(maxCostUsd ? { maxCostUsd } : {}) };
}
