import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderRegistry, LlmCallError, type ChatRequest, type ProviderRegistry, type ProviderRegistryConfig } from '../../server/llm/index.js';
import { startMockLlmServer, type MockLlmServer } from './mock-llm-server.js';
import { anthropicError, anthropicMessage, anthropicStream } from './wire-fixtures.js';

let server: MockLlmServer;

beforeAll(async () => {
  server = await startMockLlmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

function registry(extra: Partial<ProviderRegistryConfig> = {}): ProviderRegistry {
  return createProviderRegistry({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url }, maxRetries: 2, ...extra });
}

const ask: Omit<ChatRequest, 'model'> = { system: 'Be terse.', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0.4, maxTokens: 64 };

function chat(reg: ProviderRegistry, modelName = 'claude-sonnet-4-6', request = ask, options = {}) {
  const resolved = reg.resolve(modelName);
  return resolved.provider.chat({ ...request, model: resolved.model }, options);
}

describe('anthropic provider against the Messages wire', () => {
  it('sends a Messages request (Bearer auth, SDK API version) and reports text and usage', async () => {
    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'hello claude', citations: null }], { input: 12, output: 5 }));
    const result = await chat(registry());
    expect(result).toEqual({ text: 'hello claude', usage: { inputTokens: 12, outputTokens: 5 }, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' });
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/messages');
    expect(request!.headers['authorization']).toBe('Bearer sk-ant-test');
    expect(request!.headers['x-api-key']).toBeUndefined();
    expect(request!.headers['anthropic-version']).toBe('2026-10-21');
    expect(request!.body).toEqual({ model: 'claude-sonnet-4-6', max_tokens: 64, system: 'Be terse.', messages: [{ role: 'user', content: 'Say hello' }] });
  });

  it('can send x-api-key with the 2023-06-01 wire instead, for proxies (and then passes temperature)', async () => {
    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'via proxy', citations: null }]));
    const result = await chat(registry({ anthropic: { auth: 'x-api-key' } }));
    expect(result.text).toBe('via proxy');
    const [request] = server.requests;
    expect(request!.headers['x-api-key']).toBe('sk-ant-test');
    expect(request!.headers['authorization']).toBeUndefined();
    expect(request!.headers['anthropic-version']).toBe('2023-06-01');
    expect(request!.body.temperature).toBe(0.4);
  });

  it('reads the x-api-key setting from SWARMTASK_ANTHROPIC_AUTH', async () => {
    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'ok', citations: null }]));
    const fromEnv = createProviderRegistry({ env: { ANTHROPIC_API_KEY: 'k2', ANTHROPIC_BASE_URL: server.url, SWARMTASK_ANTHROPIC_AUTH: 'x-api-key' } });
    await chat(fromEnv);
    expect(server.requests[0]!.headers['x-api-key']).toBe('k2');
    expect(server.requests[0]!.headers['authorization']).toBeUndefined();
  });

  it('streams text deltas over SSE (skipping ping) with usage from message_start and message_delta', async () => {
    server.enqueue('/v1/messages', anthropicStream([{ type: 'text', pieces: ['hello', ' claude'] }], { input: 9, output: 6 }));
    const resolved = registry().resolve('anthropic/claude-sonnet-4-6');
    const tokens: string[] = [];
    const result = await resolved.provider.stream({ ...ask, model: resolved.model }, { onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['hello', ' claude']);
    expect(result).toMatchObject({ text: 'hello claude', usage: { inputTokens: 9, outputTokens: 6 } });
    expect(server.requests[0]!.body.stream).toBe(true);
    expect(server.requests[0]!.body.model).toBe('claude-sonnet-4-6');
  });

  it('gets structured output through a forced tool call (JSON and streamed input_json_delta)', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { pick: { type: 'string' } }, required: ['pick'] };
    server.enqueue(
      '/v1/messages',
      anthropicMessage([{ type: 'tool_use', id: 'toolu_1', name: 'choice', input: { pick: 'a' }, caller: { type: 'direct' } }]),
      anthropicStream([{ type: 'tool_use', name: 'choice', jsonPieces: ['{"pi', 'ck": "b"}'] }]),
    );
    const reg = registry();
    const viaJson = await chat(reg, 'claude-sonnet-4-6', { ...ask, structured: { name: 'choice', description: 'Pick one', schema } });
    expect(viaJson.object).toEqual({ pick: 'a' });
    const resolved = reg.resolve('claude-sonnet-4-6');
    const viaStream = await resolved.provider.stream({ ...ask, model: resolved.model, structured: { name: 'choice', schema } }, { onToken: () => {} });
    expect(viaStream.object).toEqual({ pick: 'b' });
    for (const request of server.requests) {
      expect(request.body.tools).toEqual([
        { name: 'choice', description: expect.any(String), input_schema: { type: 'object', properties: schema.properties, required: ['pick'] } },
      ]);
      expect(request.body.tool_choice).toEqual({ type: 'tool', name: 'choice' });
    }
  });

  it('reports a missing tool call for a structured request as invalid_output', async () => {
    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'I refuse', citations: null }]));
    const error = await chat(registry(), 'claude-sonnet-4-6', { ...ask, structured: { name: 'x', schema: { type: 'object' } } }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'invalid_output', provider: 'anthropic' });
  });

  it('retries 429 and 503 inside the SDK, then succeeds', async () => {
    server.enqueue(
      '/v1/messages',
      anthropicError(429, 'rate limited', { 'retry-after-ms': '5' }),
      anthropicError(503, 'overloaded', { 'retry-after-ms': '5' }),
      anthropicMessage([{ type: 'text', text: 'third time', citations: null }]),
    );
    expect((await chat(registry())).text).toBe('third time');
    expect(server.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
  });

  it('times out a slow call', async () => {
    server.enqueue('/v1/messages', { ...anthropicMessage([{ type: 'text', text: 'late', citations: null }]), delayMs: 5_000 });
    const error = await chat(registry({ maxRetries: 0 }), 'claude-sonnet-4-6', ask, { timeoutMs: 100 }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('timeout');
  });

  it('aborts an in-flight call through the AbortSignal', async () => {
    server.enqueue('/v1/messages', { hang: true });
    const controller = new AbortController();
    const pending = chat(registry(), 'claude-sonnet-4-6', ask, { signal: controller.signal }).catch((e) => e);
    await server.hanging();
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'aborted', provider: 'anthropic' });
    await server.disconnected();
  });

  it('sends URL and base64 images as image blocks before the text', async () => {
    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'two images', citations: null }]));
    await chat(registry(), 'claude-sonnet-4-6', {
      messages: [{ role: 'user', content: 'Compare', images: ['https://example.com/a.png', 'data:image/png;base64,iVBORw0KGgo='] }],
    });
    expect(server.requests[0]!.body.messages[0].content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'text', text: 'Compare' },
    ]);
  });
});
