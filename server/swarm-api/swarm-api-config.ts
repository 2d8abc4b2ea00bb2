import type { ProviderRegistry } from '../llm/index.js';
import type { SwarmResult } from '../swarms/index.js';
import type { ResponseCache } from './response-cache.js';

/** What the swarm API needs beyond the store: the model providers and the response cache. */
export interface SwarmApi {
  providers: ProviderRegistry;
  cache: ResponseCache<SwarmResult | AgentCompletion>;
  /** Upper bound on one run, ms. */
  runTimeoutMs: number;
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
