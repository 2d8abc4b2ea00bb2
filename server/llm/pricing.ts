import type { TokenUsage } from './types.js';

/** USD per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * The one price table (public list prices, USD per 1M input/output tokens). Keys are model-name
 * prefixes; the longest matching key wins, so dated snapshots (`gpt-4o-2024-08-06`) take their
 * family's price and `gpt-4o-mini` does not take `gpt-4o`'s. Override with `prices` in the
 * registry configuration.
 */
export const DEFAULT_PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
};

/** Providers that run on the operator's own hardware cost nothing per token. */
const FREE_PROVIDERS = new Set(['offline', 'ollama', 'vllm', 'lmstudio']);

export interface CallCost {
  inputCost: number;
  outputCost: number;
  totalCost: number;
  /** False when the model is on a paid provider but missing from the table (cost shown as 0). */
  priced: boolean;
}

export function findPrice(table: Readonly<Record<string, ModelPrice>>, model: string): ModelPrice | undefined {
  // OpenRouter-style ids carry the vendor: "openai/gpt-4o" is priced as "gpt-4o".
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if ((name === key || name.startsWith(`${key}-`) || name.startsWith(`${key}@`)) && (best === undefined || key.length > best.length)) {
      best = key;
    }
  }
  return best === undefined ? undefined : table[best];
}

/** Cost of one call; amounts are rounded to 1e-10 USD so sums do not show float noise. */
export function costOfCall(
  provider: string,
  model: string,
  usage: TokenUsage,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICE_TABLE,
): CallCost {
  if (FREE_PROVIDERS.has(provider)) return { inputCost: 0, outputCost: 0, totalCost: 0, priced: true };
  const price = findPrice(table, model);
  if (!price) return { inputCost: 0, outputCost: 0, totalCost: 0, priced: false };
  const inputCost = roundUsd((usage.inputTokens * price.input) / 1e6);
  const outputCost = roundUsd((usage.outputTokens * price.output) / 1e6);
  return { inputCost, outputCost, totalCost: roundUsd(inputCost + outputCost), priced: true };
}

export function roundUsd(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}
