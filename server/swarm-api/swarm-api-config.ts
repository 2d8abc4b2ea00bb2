import type { ProviderRegistry } from '../llm/index.js';
import type { SwarmBudget, SwarmResult } from '../swarms/index.js';
import type { ResponseCache } from './response-cache.js';

/** What the swarm API needs beyond the store: the model providers and the response cache. */
export interface SwarmApi {
  providers: ProviderRegistry;
  cache: ResponseCache<SwarmResult | AgentCompletion>;
  /** Upper bound on one run, ms. */
  runTimeoutMs: number;
  /** What one run may spend on models (limits left out are unlimited). */
  budget?: SwarmBudget;
}

/** The budget the settings give: a 0 is no limit. */
export function swarmApiBudget(config: { swarmMaxCalls: number; swarmMaxTokens: number; swarmMaxCostUsd: number }): SwarmBudget {
  return {
    ...(config.swarmMaxCalls > 0 ? { maxCalls: config.swarmMaxCalls } : {}),
    ...(config.swarmMaxTokens > 0 ? { maxTokens: config.swarmMaxTokens } : {}),
    ...(config.swarmMaxCostUsd > 0 ? { maxCostUsd: config.swarmMaxCostUsd } : {}),
  };
}

/** `POST /v1/agent/completions` result (Swarms API shape). */
export interface AgentCompletion {
  id: string;
  success: true;
  name: string;
  description: string | null;
  temperature: number;
  outputs: string;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number; total_cost: number };
  timestamp: string;
  providers: string[];
}
