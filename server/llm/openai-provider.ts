import type OpenAI from 'openai';
import { LlmCallError } from './errors.js';
import { lazySdkClient } from './lazy-sdk.js';
import { callSignal } from './signals.js';
import { parseJsonOutput, safeToolName, schemaForWire, toLlmCallError } from './sdk-errors.js';
import type { CallOptions, ChatRequest, ChatResult, LlmProvider, StreamCallOptions, TokenUsage } from './types.js';

type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ContentPart = OpenAI.Chat.Completions.ChatCompletionContentPart;
type CreateParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

export interface OpenAiProviderOptions {
  /** `openai`, or the prefix of an OpenAI-compatible server (`ollama`, `vllm`, …). */
  id: string;
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  timeoutMs: number;
  headers?: Record<string, string>;
  structuredOutput?: 'json_schema' | 'tools';
  supportsImages?: boolean;
  /**
   * `openai` speaks the current OpenAI dialect (`max_completion_tokens`, no temperature for
   * reasoning models); `compatible` sends the older `max_tokens` that local servers understand.
   */
  dialect: 'openai' | 'compatible';
}

/** o-series and gpt-5 reasoning models reject any temperature but the default. */
function acceptsTemperature(model: string): boolean {
  return !/^(o\d|gpt-5)/.test(model);
}

function toMessages(request: ChatRequest): MessageParam[] {
  const messages: MessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'assistant') {
      messages.push({ role: 'assistant', content: message.content });
    } else if (message.images?.length) {
      const parts: ContentPart[] = [{ type: 'text', text: message.content }];
      for (const url of message.images) parts.push({ type: 'image_url', image_url: { url } });
      messages.push({ role: 'user', content: parts });
    } else {
      messages.push({ role: 'user', content: message.content });
    }
  }
  return messages;
}

function toUsage(usage: OpenAI.Completions.CompletionUsage | null | undefined): TokenUsage {
  return { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 };
}

export function createOpenAiProvider(options: OpenAiProviderOptions): LlmProvider {
  const structuredMode = options.structuredOutput ?? 'json_schema';
  const sdk = lazySdkClient(
    () => import('openai'),
    ({ default: OpenAIClient }) =>
      new OpenAIClient({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        maxRetries: options.maxRetries,
        timeout: options.timeoutMs,
        // Passed explicitly so the SDK never falls back to process.env for them.
        organization: null,
        project: null,
        defaultHeaders: options.headers,
      }),
  );

  function buildParams(request: ChatRequest): CreateParams {
    const params: CreateParams = { model: request.model, messages: toMessages(request) };
    if (request.maxTokens !== undefined) {
      if (options.dialect === 'openai') params.max_completion_tokens = request.maxTokens;
      else params.max_tokens = request.maxTokens;
    }
    if (request.temperature !== undefined && (options.dialect === 'compatible' || acceptsTemperature(request.model))) {
      params.temperature = request.temperature;
    }
    const structured = request.structured;
    if (structured) {
      const name = safeToolName(structured.name);
      const schema = schemaForWire(structured.schema);
      if (structuredMode === 'tools') {
        params.tools = [{ type: 'function', function: { name, description: structured.description, parameters: schema } }];
        params.tool_choice = { type: 'function', function: { name } };
      } else {
        params.response_format = {
          type: 'json_schema',
          json_schema: { name, description: structured.description, schema, strict: false },
        };
      }
    }
    return params;
  }

  function finish(request: ChatRequest, text: string, toolArguments: string | undefined, usage: TokenUsage, model: string): ChatResult {
    if (!request.structured) return { text, usage, provider: options.id, model };
    const json = structuredMode === 'tools' ? toolArguments : text;
    if (json === undefined || json.trim() === '') {
      throw new LlmCallError(`${options.id} model ${model} returned no structured output`, 'invalid_output', options.id, model);
    }
    return { text: json, object: parseJsonOutput(json, options.id, model), usage, provider: options.id, model };
  }

  function requestOptions(callOptions: CallOptions | undefined, signal: AbortSignal | undefined) {
    return { signal, timeout: callOptions?.timeoutMs ?? options.timeoutMs, maxRetries: options.maxRetries };
  }

  return {
    id: options.id,
    supportsImages: options.supportsImages ?? true,

    async chat(request, callOptions) {
      const { client, errors } = await sdk();
      try {
        const completion = await client.chat.completions.create(buildParams(request), requestOptions(callOptions, callOptions?.signal));
        const message = completion.choices[0]?.message;
        const toolCall = message?.tool_calls?.find((call) => call.type === 'function');
        return finish(
          request,
          message?.content ?? '',
          toolCall?.type === 'function' ? toolCall.function.arguments : undefined,
          toUsage(completion.usage),
          completion.model || request.model,
        );
      } catch (err) {
        throw toLlmCallError(err, errors, options.id, request.model, callOptions?.signal);
      }
    },

    async stream(request, callOptions: StreamCallOptions) {
      // The SDK timeout only covers the wait for response headers; the deadline signal also
      // bounds a body that stalls halfway through the stream.
      const signal = callSignal(callOptions.signal, callOptions.timeoutMs ?? options.timeoutMs);
      const { client, errors } = await sdk();
      try {
        const stream = await client.chat.completions.create(
          { ...buildParams(request), stream: true, stream_options: { include_usage: true } },
          requestOptions(callOptions, signal),
        );
        let text = '';
        let toolArguments: string | undefined;
        let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
        let model = request.model;
        for await (const chunk of stream) {
          if (chunk.model) model = chunk.model;
          // With include_usage the last chunk has empty choices and carries the usage.
          if (chunk.usage) usage = toUsage(chunk.usage);
          const delta = chunk.choices[0]?.delta;
          if (!delta) continue;
          if (delta.content) {
            text += delta.content;
            callOptions.onToken(delta.content);
          }
          for (const call of delta.tool_calls ?? []) {
            if (call.index === 0 && call.function?.arguments) toolArguments = (toolArguments ?? '') + call.function.arguments;
          }
        }
        return finish(request, text, toolArguments, usage, model);
      } catch (err) {
        if (!(err instanceof LlmCallError) && signal?.aborted && !callOptions.signal?.aborted) {
          throw new LlmCallError(`${options.id} call to ${request.model} timed out`, 'timeout', options.id, request.model, undefined, { cause: err });
        }
        throw toLlmCallError(err, errors, options.id, request.model, callOptions.signal);
      }
    },
  };
}
