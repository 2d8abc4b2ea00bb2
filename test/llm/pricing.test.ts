import { describe, expect, it } from 'vitest';
import { costOfCall, DEFAULT_PRICE_TABLE, findPrice } from '../../server/llm/index.js';

describe('price table', () => {
  it('matches the longest key that is the name or a dash/at-separated prefix of it', () => {
    expect(findPrice(DEFAULT_PRICE_TABLE, 'gpt-4o')).toEqual(DEFAULT_PRICE_TABLE['gpt-4o']);
    expect(findPrice(DEFAULT_PRICE_TABLE, 'gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICE_TABLE['gpt-4o-mini']);
    expect(findPrice(DEFAULT_PRICE_TABLE, 'o1-mini')).toEqual(DEFAULT_PRICE_TABLE['o1-mini']);
    expect(findPrice(DEFAULT_PRICE_TABLE, 'claude-sonnet-4-5-20250929')).toEqual(DEFAULT_PRICE_TABLE['claude-sonnet-4']);
    expect(findPrice(DEFAULT_PRICE_TABLE, 'gpt-4omni')).toBeUndefined();
  });

  it('prices OpenRouter-style vendor/model ids by the model', () => {
    expect(findPrice(DEFAULT_PRICE_TABLE, 'openai/gpt-4o')).toEqual(DEFAULT_PRICE_TABLE['gpt-4o']);
  });

  it('computes USD from per-million rates without float noise', () => {
    const cost = costOfCall('openai', 'gpt-4o-mini', { inputTokens: 3, outputTokens: 7 });
    expect(cost.inputCost).toBe(0.00000045);
    expect(cost.outputCost).toBe(0.0000042);
    expect(cost.totalCost).toBe(0.00000465);
  });

  it('charges nothing for offline and self-hosted providers', () => {
    for (const provider of ['offline', 'ollama', 'vllm', 'lmstudio']) {
      expect(costOfCall(provider, 'gpt-4o', { inputTokens: 1e6, outputTokens: 1e6 }).totalCost).toBe(0);
    }
  });
});
