/**
 * The one provider interface every agent call goes through. Providers differ only in how they
 * reach a model; what a call asks for (ChatRequest) and what it returns (ChatResult) is shared.
 */

/** A JSON Schema document (draft 2020-12 subset) as sent to providers for structured output. */
export type JsonSchema = { [keyword: string]: unknown };

/** An image given to the model: an http(s) URL or a `data:image/…;base64,…` URL. */
export type ImageRef = string;

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Only honoured on user messages, and only by providers whose `supportsImages` is true. */
  images?: readonly ImageRef[];
}

/** Ask for a JSON object valid against `schema` instead of free text. */
export interface StructuredOutputRequest {
  /** Tool / schema name: letters, digits, `_` and `-` (other characters are replaced). */
  name: string;
  description?: string;
  schema: JsonSchema;
}

export interface ChatRequest {
  /** The provider-local model id (after routing: `llama3.1`, not `ollama/llama3.1`). */
  model: string;
  system?: string;
  messages: readonly ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  structured?: StructuredOutputRequest;
  /**
   * Who is calling. Real providers ignore it; the offline model puts it in its answer so a
   * test can see which agent produced which text.
   */
  agentName?: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  /** The answer text; for structured requests, the JSON text of `object`. */
  text: string;
  /** Present exactly when the request asked for structured output. */
  object?: unknown;
  usage: TokenUsage;
  /** Which provider answered (`openai`, `anthropic`, `ollama`, …, `offline`). */
  provider: string;
  /** The provider-local model id that answered. */
  model: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Per-call timeout; the provider's default applies when absent. */
  timeoutMs?: number;
}

export interface StreamCallOptions extends CallOptions {
  /** Called with each text delta as it arrives. */
  onToken: (delta: string) => void;
}

export interface LlmProvider {
  /** Label recorded on every result (`ChatResult.provider`). */
  readonly id: string;
  readonly supportsImages: boolean;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** Same result as `chat`, with text deltas reported through `onToken` while it runs. */
  stream(request: ChatRequest, options: StreamCallOptions): Promise<ChatResult>;
}
