import type Anthropic from '@anthropic-ai/sdk';
import { LlmCallError } from './errors.js';
import { lazySdkClient } from './lazy-sdk.js';
import { parseImageRef } from './image-input.js';
import { callSignal } from './signals.js';
import { safeToolName, schemaForWire, toLlmCallError } from './sdk-errors.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResult, LlmProvider, StreamCallOptions, TokenUsage } from './types.js';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type CreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  timeoutMs: number;
  /**
   * SDK 1.x sends `Authorization: Bearer <key>` with API version 2026-10-21. Proxies built for
   * the older wire want `x-api-key` (and version 2023-06-01): `x-api-key` switches to that.
   */
  auth?: 'bearer' | 'x-api-key';
  /** Overrides the `anthropic-version` header (default: the SDK's, or 2023-06-01 with x-api-key). */
  apiVersion?: string;
  /** Used when a request gives no `maxTokens`: the Messages API requires one. */
  defaultMaxTokens?: number;
}

const LEGACY_API_VERSION = '2023-06-01';

function toContent(message: ChatMessage): string | ContentBlockParam[] {
  if (message.role !== 'user' || !message.images?.length) return message.content;
  const blocks: ContentBlockParam[] = [];
  for (const ref of message.images) {
    const image = parseImageRef(ref);
    if (!image) throw new LlmCallError(`unsupported image reference for anthropic: ${ref.slice(0, 60)}`, 'bad_request', 'anthropic', '');
    blocks.push(
      image.kind === 'url'
        ? { type: 'image', source: { type: 'url', url: image.url } }
        : {
            type: 'image',
            source: { type: 'base64', media_type: image.mediaType as 'image/png', data: image.data },
          },
    );
  }
  blocks.push({ type: 'text', text: message.content });
  return blocks;
}

function toUsage(usage: { input_tokens?: number | null; output_tokens?: number | null } | null | undefined): TokenUsage {
  return { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
}

export function createAnthropicProvider(options: AnthropicProviderOptions): LlmProvider {
  const legacyWire = options.auth === 'x-api-key';
  const apiVersion = options.apiVersion ?? (legacyWire ? LEGACY_API_VERSION : undefined);
  const headers: Record<string, string | null> = {};
  if (legacyWire) {
    // apiKey is still passed so the SDK never walks its default credential chain; the null
    // removes the Bearer header it would derive from it.
    headers['x-api-key'] = options.apiKey;
    headers['authorization'] = null;
  }
  if (apiVersion) headers['anthropic-version'] = apiVersion;
  const sdk = lazySdkClient(
    () => import('@anthropic-ai/sdk'),
    ({ default: AnthropicClient }) =>
      new AnthropicClient({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        maxRetries: options.maxRetries,
        timeout: options.timeoutMs,
        defaultHeaders: headers,
      }),
  );

  function buildParams(request: ChatRequest): CreateParams {
    const messages: MessageParam[] = request.messages.map((message) =>
      message.role === 'assistant' ? { role: 'assistant', content: message.content } : { role: 'user', content: toContent(message) },
    );
    const params: CreateParams = {
      model: request.model,
      max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? 4096,
      messages,
    };
    if (request.system) params.system = request.system;
    // API version 2026-10-21 (the SDK's default) no longer takes `temperature`; the legacy wire does.
    if (request.temperature !== undefined && apiVersion === LEGACY_API_VERSION) {
      (params as CreateParams & { temperature?: number }).temperature = request.temperature;
    }
    if (request.structured) {
      const name = safeToolName(request.structured.name);
      params.tools = [
        {
          name,
          description: request.structured.description ?? 'Return the answer as this structured object.',
          input_schema: schemaForWire(request.structured.schema) as Anthropic.Messages.Tool.InputSchema,
        },
      ];
      params.tool_choice = { type: 'tool', name };
    }
    return params;
  }

  function finish(request: ChatRequest, text: string, toolInput: unknown, usage: TokenUsage, model: string): ChatResult {
    if (!request.structured) return { text, usage, provider: 'anthropic', model };
    if (toolInput === undefined || toolInput === null || typeof toolInput !== 'object') {
      throw new LlmCallError(`anthropic model ${model} did not call the ${request.structured.name} tool`, 'invalid_output', 'anthropic', model);
    }
    return { text: JSON.stringify(toolInput), object: toolInput, usage, provider: 'anthropic', model };
  }

  function requestOptions(callOptions: CallOptions | undefined, signal: AbortSignal | undefined) {
    return { signal, timeout: callOptions?.timeoutMs ?? options.timeoutMs, maxRetries: options.maxRetries };
  }

  return {
    id: 'anthropic',
    supportsImages: true,

    async chat(request, callOptions) {
      const { client, errors } = await sdk();
      try {
        const message = await client.messages.create(buildParams(request), requestOptions(callOptions, callOptions?.signal));
        let text = '';
        let toolInput: unknown;
        for (const block of message.content) {
          if (block.type === 'text') text += block.text;
          else if (block.type === 'tool_use' && toolInput === undefined) toolInput = block.input;
        }
        return finish(request, text, toolInput, toUsage(message.usage), message.model || request.model);
      } catch (err) {
        throw toLlmCallError(err, errors, 'anthropic', request.model, callOptions?.signal);
      }
    },

    async stream(request, callOptions: StreamCallOptions) {
      const signal = callSignal(callOptions.signal, callOptions.timeoutMs ?? options.timeoutMs);
      const { client, errors } = await sdk();
      try {
        const stream = await client.messages.create({ ...buildParams(request), stream: true }, requestOptions(callOptions, signal));
        let text = '';
        let toolJson: string | undefined;
        let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
        let model = request.model;
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start':
              model = event.message.model || model;
              usage = toUsage(event.message.usage);
              break;
            case 'content_block_start':
              if (event.content_block.type === 'tool_use' && toolJson === undefined) toolJson = '';
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta') {
                text += event.delta.text;
                callOptions.onToken(event.delta.text);
              } else if (event.delta.type === 'input_json_delta' && toolJson !== undefined) {
                toolJson += event.delta.partial_json;
              }
              break;
            case 'message_delta':
              // message_delta carries the cumulative output count (and input, on newer servers).
              usage = {
                inputTokens: event.usage.input_tokens ?? usage.inputTokens,
                outputTokens: event.usage.output_tokens ?? usage.outputTokens,
              };
              break;
            default:
              break;
          }
        }
        let toolInput: unknown;
        if (toolJson !== undefined) {
          try {
            toolInput = JSON.parse(toolJson === '' ? '{}' : toolJson);
          } catch (err) {
            throw new LlmCallError(`anthropic model ${model} streamed invalid tool JSON`, 'invalid_output', 'anthropic', model, undefined, {
              cause: err,
            });
          }
        }
        return finish(request, text, toolInput, usage, model);
      } catch (err) {
        if (!(err instanceof LlmCallError) && signal?.aborted && !callOptions.signal?.aborted) {
          throw new LlmCallError(`anthropic call to ${request.model} timed out`, 'timeout', 'anthropic', request.model, undefined, { cause: err });
        }
        throw toLlmCallError(err, errors, 'anthropic', request.model, callOptions.signal);
      }
    },
  };
}
