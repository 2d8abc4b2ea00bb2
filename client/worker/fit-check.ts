import type { SwarmSpec } from '../../shared/swarm-spec.js';
import { LlmConfigError, minimumModelCalls, SwarmSpecError, type ProviderRegistry, type SwarmBudget } from '../../server/swarms/index.js';

/**
 * Whether this node should decline a claimed todo before spending anything on it: a model the
 * spec names that this node cannot run (its model map sends it to a provider without a key), or
 * more model calls than its budget allows even in the cheapest run the swarm type can make.
 * Declining refunds the todo's attempt, so work no node here can do is not failed by nodes
 * that never tried it. Returns the reason, or null to go ahead.
 */
export function whyDecline(spec: SwarmSpec, providers: ProviderRegistry, budget: SwarmBudget | undefined): string | null {
  for (const agent of spec.agents) {
    try {
      providers.resolve(agent.model_name);
    } catch (error) {
      if (error instanceof LlmConfigError) return `cannot run model "${agent.model_name}" of agent "${agent.agent_name}" here: ${error.message}`;
      throw error;
    }
  }
  if (budget?.maxCalls !== undefined) {
    const needed = minimumCallsOrNull(spec);
    if (needed !== null && needed > budget.maxCalls) return `needs at least ${needed} model calls, this node allows ${budget.maxCalls} per todo`;
  }
  return null;
}

/** Null for a spec the engine rejects: running it reports that as the todo's failure, as for any node. */
function minimumCallsOrNull(spec: SwarmSpec): number | null {
  try {
    return minimumModelCalls(spec);
  } catch (error) {
    if (error instanceof SwarmSpecError) return null;
    throw error;
  }
}
