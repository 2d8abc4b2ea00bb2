import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countTokens, createOfflineProvider, LlmCallError, type ChatRequest } from '../../server/llm/index.js';

const request: ChatRequest = {
  model: 'gpt-4o',
  agentName: 'Alice',
  system: 'You are Alice.',
  messages: [{ role: 'user', content: 'User: Compare the plans\n\nBob: <<Bob>> Bob (offline gpt-4o) reply 1: "x"\nsaw: nobody' }],
};

describe('offline model', () => {
  it('is deterministic: the same request gives the same answer', async () => {
    const a = await createOfflineProvider().chat(request);
    const b = await createOfflineProvider().chat(structuredClone(request));
    expect(a).toEqual(b);
    expect(a.provider).toBe('offline');
    expect(a.model).toBe('gpt-4o');
  });

  it('shows who answered, the first line it was given, and whose answers it saw', async () => {
    const { text } = await createOfflineProvider().chat(request);
    const lines = text.split('\n');
    expect(lines[0]).toBe('<<Alice>> Alice (offline gpt-4o) reply 1: "User: Compare the plans"');
    expect(lines[1]).toBe('saw: Bob');
    expect(lines.at(-1)).toMatch(/^Answer: \w+$/);
    const other = await createOfflineProvider().chat({ ...request, agentName: 'Carol' });
    expect(other.text).toContain('<<Carol>>');
    const differentInput = await createOfflineProvider().chat({ ...request, messages: [{ role: 'user', content: 'Another task' }] });
    expect(differentInput.text).toContain('saw: nobody');
    expect(differentInput.text).not.toEqual(text);
  });

  it('counts its reply turn from the assistant messages of the transcript', async () => {
    const { text } = await createOfflineProvider().chat({
      ...request,
      messages: [...request.messages, { role: 'assistant', content: 'first' }, { role: 'user', content: 'Continue' }],
    });
    expect(text.split('\n')[0]).toContain('reply 2: "Continue"');
  });

  it('counts tokens with the real tokenizer', async () => {
    const result = await createOfflineProvider().chat(request);
    expect(result.usage.inputTokens).toBe(countTokens(request.system!) + countTokens(request.messages[0]!.content));
    expect(result.usage.outputTokens).toBe(countTokens(result.text));
    expect(countTokens('hello world')).toBe(2);
  });

  it('answers a structured request with an object valid against the schema', async () => {
    const schema = z.object({ plan: z.string(), orders: z.array(z.object({ agent_name: z.enum(['A', 'B']), task: z.string() })).min(1) });
    const result = await createOfflineProvider().chat({
      ...request,
      structured: { name: 'orders', schema: z.toJSONSchema(schema) as Record<string, unknown> },
    });
    const parsed = schema.parse(result.object);
    expect(parsed.orders.map((o) => o.agent_name)).toEqual(['A', 'B']);
    expect(JSON.parse(result.text)).toEqual(result.object);
  });

  it('streams word-sized tokens that add up to the text', async () => {
    const tokens: string[] = [];
    const result = await createOfflineProvider().stream(request, { onToken: (t) => tokens.push(t) });
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens.join('')).toBe(result.text);
  });

  it('reflects images and can be configured to refuse them', async () => {
    const withImage: ChatRequest = { ...request, messages: [{ role: 'user', content: 'Look', images: ['https://example.com/a.png'] }] };
    expect((await createOfflineProvider().chat(withImage)).text).toMatch(/images: url [0-9a-f]{8}/);
    const error = await createOfflineProvider({ supportsImages: false }).chat(withImage).catch((e) => e);
    expect(error).toMatchObject({ kind: 'unsupported', provider: 'offline' });
  });

  it('simulates latency that an abort cuts short', async () => {
    const provider = createOfflineProvider({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = provider.chat(request, { signal: controller.signal }).catch((e) => e);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('aborted');
    expect(provider.stats.calls).toBe(0);
  });

  it('times out when the simulated latency exceeds the call timeout', async () => {
    const error = await createOfflineProvider({ latencyMs: 60_000 }).chat(request, { timeoutMs: 20 }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
  });
});
