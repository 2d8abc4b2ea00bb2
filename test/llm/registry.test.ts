import { describe, expect, it } from 'vitest';
import { createProviderRegistry, LlmConfigError, routeModel } from '../../server/llm/index.js';

const known = new Set(['openai', 'anthropic', 'ollama', 'vllm', 'lmstudio', 'openrouter']);

describe('routeModel (bare names by family, prefixes by provider)', () => {
  it.each([
    ['gpt-4o', 'openai', 'gpt-4o'],
    ['gpt-4.1-mini', 'openai', 'gpt-4.1-mini'],
    ['o1', 'openai', 'o1'],
    ['o3-mini', 'openai', 'o3-mini'],
    ['o4-mini', 'openai', 'o4-mini'],
    ['claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
    ['openai/gpt-4o', 'openai', 'gpt-4o'],
    ['anthropic/claude-3-5-haiku', 'anthropic', 'claude-3-5-haiku'],
    ['ollama/llama3.1', 'ollama', 'llama3.1'],
    ['vllm/Qwen/Qwen2.5-7B', 'vllm', 'Qwen/Qwen2.5-7B'],
    ['lmstudio/phi-4', 'lmstudio', 'phi-4'],
    ['openrouter/anthropic/claude-sonnet-4', 'openrouter', 'anthropic/claude-sonnet-4'],
    ['offline', 'offline', 'offline'],
    ['offline/echo', 'offline', 'echo'],
  ])('%s → %s / %s', (name, providerId, model) => {
    expect(routeModel(name, known)).toEqual({ providerId, model });
  });

  it.each(['llama3', 'o2', 'omni', 'mystery/model', 'ollama/', 'gemini-pro'])('%s is unroutable', (name) => {
    expect(routeModel(name, known)).toBeUndefined();
  });
});

describe('createProviderRegistry', () => {
  it('runs the original example model on offline under the embedded default map, keeping its name', () => {
    const registry = createProviderRegistry({ env: { SWARMTASK_MODEL_MAP: '*=offline' } });
    const resolved = registry.resolve('gpt-4o');
    expect(resolved).toMatchObject({ requested: 'gpt-4o', target: 'offline', providerId: 'offline', model: 'gpt-4o' });
    expect(resolved.provider.id).toBe('offline');
    expect(resolved.mappedBy).toEqual({ pattern: '*', target: 'offline' });
  });

  it('sends mapped names to the mapped provider and model', () => {
    const registry = createProviderRegistry({ modelMap: 'gpt-4o=ollama/llama3.1,claude-*=offline/judge' });
    expect(registry.resolve('gpt-4o')).toMatchObject({ providerId: 'ollama', model: 'llama3.1' });
    expect(registry.resolve('claude-opus-4')).toMatchObject({ providerId: 'offline', model: 'judge' });
  });

  it.each([
    ['gpt-4o', 'OPENAI_API_KEY'],
    ['o3', 'OPENAI_API_KEY'],
    ['claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
    ['openrouter/openai/gpt-4o', 'OPENROUTER_API_KEY'],
  ])('fails for unmapped %s without a key, naming %s', (model, envVar) => {
    const registry = createProviderRegistry({ env: {} });
    const error = (() => {
      try {
        registry.resolve(model);
      } catch (e) {
        return e;
      }
    })() as LlmConfigError;
    expect(error).toBeInstanceOf(LlmConfigError);
    expect(error.envVar).toBe(envVar);
    expect(error.message).toContain(envVar);
    expect(error.message).toContain('SWARMTASK_MODEL_MAP');
  });

  it('serves local OpenAI-compatible servers without a key', () => {
    const registry = createProviderRegistry({ env: {} });
    expect(registry.resolve('ollama/llama3.1').provider.id).toBe('ollama');
    expect(registry.resolve('vllm/m').provider.id).toBe('vllm');
  });

  it('explains how to route an unknown bare name', () => {
    const registry = createProviderRegistry({ env: {} });
    expect(() => registry.resolve('llama3')).toThrow(/cannot be routed.*SWARMTASK_MODEL_MAP/);
  });

  it('requires the key variable of a user-defined prefix', () => {
    const registry = createProviderRegistry({ env: { SWARMTASK_OPENAI_COMPATIBLE: 'acme=http://127.0.0.1:9/v1|ACME_KEY' } });
    expect(() => registry.resolve('acme/x')).toThrow(/ACME_KEY/);
  });

  it('uses caller-supplied providers by prefix, ahead of built-ins', () => {
    const fake = { id: 'fake', supportsImages: false, chat: async () => ({ text: '', usage: { inputTokens: 0, outputTokens: 0 }, provider: 'fake', model: 'm' }), stream: async () => ({ text: '', usage: { inputTokens: 0, outputTokens: 0 }, provider: 'fake', model: 'm' }) };
    const registry = createProviderRegistry({ providers: { fake, offline: fake } });
    expect(registry.resolve('fake/m').provider).toBe(fake);
    expect(registry.resolve('offline').provider).toBe(fake);
  });

  it('describes providers, the map and priced models', () => {
    const registry = createProviderRegistry({ env: { OPENAI_API_KEY: 'k' }, modelMap: 'claude-*=offline' });
    const description = registry.describe();
    expect(description.modelMap).toBe('claude-*=offline');
    expect(description.providers.find((p) => p.id === 'openai')).toMatchObject({ configured: true, envVar: 'OPENAI_API_KEY' });
    expect(description.providers.find((p) => p.id === 'anthropic')).toMatchObject({ configured: false });
    expect(description.providers.find((p) => p.id === 'openrouter')).toMatchObject({ configured: false, envVar: 'OPENROUTER_API_KEY' });
    expect(description.pricedModels).toContain('gpt-4o');
  });

  it('prices calls from the table (per 1M tokens), free on local providers', () => {
    const registry = createProviderRegistry({ prices: { 'my-model': { input: 1, output: 2 } } });
    expect(registry.costOf({ providerId: 'openai', model: 'gpt-4o-2024-08-06' }, { inputTokens: 1_000_000, outputTokens: 100_000 })).toEqual({
      inputCost: 2.5,
      outputCost: 1,
      totalCost: 3.5,
      priced: true,
    });
    expect(registry.costOf({ providerId: 'openai', model: 'my-model' }, { inputTokens: 500_000, outputTokens: 500_000 }).totalCost).toBe(1.5);
    expect(registry.costOf({ providerId: 'ollama', model: 'gpt-4o' }, { inputTokens: 10, outputTokens: 10 }).totalCost).toBe(0);
    expect(registry.costOf({ providerId: 'openai', model: 'unknown-model' }, { inputTokens: 10, outputTokens: 10 })).toMatchObject({ totalCost: 0, priced: false });
  });
});
