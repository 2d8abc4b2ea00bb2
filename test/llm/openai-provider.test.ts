import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderRegistry, LlmCallError, type ChatRequest, type ProviderRegistry } from '../../server/llm/index.js';
import { startMockLlmServer, type MockLlmServer } from './mock-llm-server.js';
import { openaiCompletion, openaiError, openaiStream, openaiToolCall, openaiToolStream } from './wire-fixtures.js';

let server: MockLlmServer;
let registry: ProviderRegistry;

beforeAll(async () => {
  server = await startMockLlmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  registry = createProviderRegistry({
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${server.url}/v1`, OLLAMA_BASE_URL: `${server.url}/ollama/v1` },
    maxRetries: 2,
    compatibleProviders: [{ id: 'toolsonly', baseURL: `${server.url}/toolsonly/v1`, structuredOutput: 'tools' }],
  });
});

const hello: Omit<ChatRequest, 'model'> = { system: 'Be terse.', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0.3, maxTokens: 50 };

function chat(modelName: string, request = hello, options = {}) {
  const resolved = registry.resolve(modelName);
  return resolved.provider.chat({ ...request, model: resolved.model }, options);
}

describe('openai provider against the chat completions wire', () => {
  it('sends a JSON chat completion and reports text and usage', async () => {
    server.enqueue('/v1/chat/completions', openaiCompletion('hello there', { prompt_tokens: 11, completion_tokens: 3 }));
    const result = await chat('gpt-4o');
    expect(result).toEqual({ text: 'hello there', usage: { inputTokens: 11, outputTokens: 3 }, provider: 'openai', model: 'gpt-4o-2024-08-06' });
    const [request] = server.requests;
    expect(request!.headers['authorization']).toBe('Bearer sk-test');
    expect(request!.body).toMatchObject({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.3,
      max_completion_tokens: 50,
    });
    expect(request!.body.stream).toBeUndefined();
  });

  it('leaves temperature out for reasoning models, which reject it', async () => {
    server.enqueue('/v1/chat/completions', openaiCompletion('ok'));
    await chat('o3-mini');
    expect(server.requests[0]!.body.model).toBe('o3-mini');
    expect(server.requests[0]!.body).not.toHaveProperty('temperature');
  });

  it('streams over SSE with include_usage and takes usage from the final chunk', async () => {
    server.enqueue('/v1/chat/completions', openaiStream(['hel', 'lo', ' world'], { prompt_tokens: 7, completion_tokens: 4 }));
    const resolved = registry.resolve('gpt-4o');
    const tokens: string[] = [];
    const result = await resolved.provider.stream({ ...hello, model: resolved.model }, { onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['hel', 'lo', ' world']);
    expect(result.text).toBe('hello world');
    expect(result.usage).toEqual({ inputTokens: 7, outputTokens: 4 });
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('asks for structured output with a json_schema response_format and parses the object', async () => {
    server.enqueue('/v1/chat/completions', openaiCompletion('{"answer":"42","confidence":0.9}'));
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'number' } }, required: ['answer', 'confidence'] };
    const result = await chat('gpt-4o', { ...hello, structured: { name: 'final answer!', schema } });
    expect(result.object).toEqual({ answer: '42', confidence: 0.9 });
    const format = server.requests[0]!.body.response_format;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('final_answer_');
    expect(format.json_schema.schema).toEqual({ type: 'object', properties: schema.properties, required: schema.required });
  });

  it('can ask for structured output through a forced tool call instead (JSON and streamed)', async () => {
    const schema = { type: 'object', properties: { pick: { type: 'string' } }, required: ['pick'] };
    server.enqueue('/toolsonly/v1/chat/completions', openaiToolCall('choice', '{"pick":"b"}'), openaiToolStream('choice', ['{"pi', 'ck":"c"}']));
    const viaJson = await chat('toolsonly/m1', { ...hello, structured: { name: 'choice', schema } });
    expect(viaJson.object).toEqual({ pick: 'b' });
    expect(viaJson.provider).toBe('toolsonly');
    const resolved = registry.resolve('toolsonly/m1');
    const viaStream = await resolved.provider.stream({ ...hello, model: resolved.model, structured: { name: 'choice', schema } }, { onToken: () => {} });
    expect(viaStream.object).toEqual({ pick: 'c' });
    expect(viaStream.usage).toEqual({ inputTokens: 20, outputTokens: 9 });
    for (const request of server.requests) {
      expect(request.body.tools).toEqual([{ type: 'function', function: { name: 'choice', parameters: schema } }]);
      expect(request.body.tool_choice).toEqual({ type: 'function', function: { name: 'choice' } });
      expect(request.body).not.toHaveProperty('response_format');
    }
  });

  it('reports non-JSON structured output as invalid_output', async () => {
    server.enqueue('/v1/chat/completions', openaiCompletion('not json'));
    const error = await chat('gpt-4o', { ...hello, structured: { name: 's', schema: { type: 'object' } } }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('invalid_output');
  });

  it('retries 429 and 503 inside the SDK, then succeeds', async () => {
    server.enqueue(
      '/v1/chat/completions',
      openaiError(429, 'slow down', { 'retry-after-ms': '5' }),
      openaiError(503, 'overloaded', { 'retry-after-ms': '5' }),
      openaiCompletion('finally'),
    );
    const result = await chat('gpt-4o');
    expect(result.text).toBe('finally');
    expect(server.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
  });

  it('gives up after maxRetries with a rate_limited error carrying the status', async () => {
    const strict = createProviderRegistry({ env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: `${server.url}/v1` }, maxRetries: 1 });
    server.enqueue('/v1/chat/completions', openaiError(429, 'no', { 'retry-after-ms': '1' }), openaiError(429, 'still no', { 'retry-after-ms': '1' }));
    const resolved = strict.resolve('gpt-4o');
    const error = await resolved.provider.chat({ ...hello, model: resolved.model }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, provider: 'openai' });
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    server.enqueue('/v1/chat/completions', openaiError(400, 'bad field'));
    const error = await chat('gpt-4o').catch((e) => e);
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a call that takes longer than its timeout', async () => {
    const noRetry = createProviderRegistry({ env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: `${server.url}/v1` }, maxRetries: 0 });
    server.enqueue('/v1/chat/completions', { ...openaiCompletion('late'), delayMs: 5_000 });
    const resolved = noRetry.resolve('gpt-4o');
    const error = await resolved.provider.chat({ ...hello, model: resolved.model }, { timeoutMs: 100 }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('timeout');
  });

  it('aborts an in-flight call through the AbortSignal (the server sees the disconnect)', async () => {
    server.enqueue('/v1/chat/completions', { hang: true });
    const controller = new AbortController();
    const pending = chat('gpt-4o', hello, { signal: controller.signal }).catch((e) => e);
    await server.hanging();
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('aborted');
    await server.disconnected();
  });

  it('aborts a stream in progress', async () => {
    server.enqueue('/v1/chat/completions', { hang: true });
    const controller = new AbortController();
    const resolved = registry.resolve('gpt-4o');
    const pending = resolved.provider.stream({ ...hello, model: resolved.model }, { signal: controller.signal, onToken: () => {} }).catch((e) => e);
    await server.hanging();
    controller.abort();
    expect((await pending).kind).toBe('aborted');
  });

  it('sends images as image_url content parts', async () => {
    server.enqueue('/v1/chat/completions', openaiCompletion('a cat'));
    await chat('gpt-4o', { messages: [{ role: 'user', content: 'What is this?', images: ['https://example.com/cat.png'] }] });
    expect(server.requests[0]!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
    ]);
  });
});

describe('OpenAI-compatible servers by prefix', () => {
  it('routes ollama/<model> to the Ollama base URL with the bare model id, a placeholder key and max_tokens', async () => {
    server.enqueue('/ollama/v1/chat/completions', openaiCompletion('from llama'));
    const result = await chat('ollama/llama3.1');
    expect(result.provider).toBe('ollama');
    const [request] = server.requests;
    expect(request!.path).toBe('/ollama/v1/chat/completions');
    expect(request!.headers['authorization']).toBe('Bearer ollama');
    expect(request!.body).toMatchObject({ model: 'llama3.1', max_tokens: 50, temperature: 0.3 });
    expect(request!.body).not.toHaveProperty('max_completion_tokens');
  });

  it('routes a user-defined prefix to its base URL with the key from its variable', async () => {
    const custom = createProviderRegistry({ env: { SWARMTASK_OPENAI_COMPATIBLE: `acme=${server.url}/acme/v1|ACME_KEY`, ACME_KEY: 'acme-secret' } });
    server.enqueue('/acme/v1/chat/completions', openaiCompletion('acme says hi'));
    const resolved = custom.resolve('acme/big-model');
    const result = await resolved.provider.chat({ ...hello, model: resolved.model });
    expect(result).toMatchObject({ text: 'acme says hi', provider: 'acme' });
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer acme-secret');
    expect(server.requests[0]!.body.model).toBe('big-model');
  });
});
