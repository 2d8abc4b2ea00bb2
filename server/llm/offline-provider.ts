import { LlmCallError } from './errors.js';
import { sampleJsonSchema } from './json-schema-sample.js';
import { offlineAnswerText } from './offline-text.js';
import { abortError, callSignal, sleep } from './signals.js';
import { stableDigest } from './stable-hash.js';
import { countRequestTokens, countTokens } from './tokens.js';
import type { CallOptions, ChatRequest, ChatResult, LlmProvider } from './types.js';

export interface OfflineProviderOptions {
  /** Simulated model latency per call (for benchmarks and concurrency tests); aborts cut it short. */
  latencyMs?: number;
  /** Whether the offline model accepts image input (it only reports a digest of each image). */
  supportsImages?: boolean;
}

export interface OfflineProvider extends LlmProvider {
  /** CPU the offline model itself spent, so benchmarks can tell it apart from engine overhead. */
  readonly stats: { calls: number; cpuMicros: number };
}

/**
 * A deterministic local model: same request, same answer; no network. Text answers show the
 * agent and what it saw (see offline-text.ts); structured requests get a schema-valid object;
 * token counts come from a real tokenizer. Every result is labelled `provider: "offline"`.
 */
export function createOfflineProvider(options: OfflineProviderOptions = {}): OfflineProvider {
  const stats = { calls: 0, cpuMicros: 0 };

  async function answer(request: ChatRequest, callOptions: CallOptions | undefined): Promise<ChatResult> {
    const signal = callSignal(callOptions?.signal, callOptions?.timeoutMs);
    try {
      if (options.latencyMs && options.latencyMs > 0) await sleep(options.latencyMs, signal);
      if (signal?.aborted) throw signal.reason;
    } catch (reason) {
      throw abortError(reason, 'offline', request.model);
    }
    if (request.messages.some((m) => m.images?.length) && options.supportsImages === false) {
      throw new LlmCallError('the offline model is configured without image input', 'unsupported', 'offline', request.model);
    }
    const started = process.cpuUsage();
    const inputTokens = countRequestTokens(request);
    let result: ChatResult;
    if (request.structured) {
      const seed = stableDigest(request.model, request.agentName ?? '', request.system ?? '', ...request.messages.map((m) => m.content));
      const object = sampleJsonSchema(request.structured.schema, seed);
      const text = JSON.stringify(object);
      result = { text, object, usage: { inputTokens, outputTokens: countTokens(text) }, provider: 'offline', model: request.model };
    } else {
      const text = offlineAnswerText(request, inputTokens);
      result = { text, usage: { inputTokens, outputTokens: countTokens(text) }, provider: 'offline', model: request.model };
    }
    const used = process.cpuUsage(started);
    stats.calls += 1;
    stats.cpuMicros += used.user + used.system;
    return result;
  }

  return {
    id: 'offline',
    supportsImages: options.supportsImages ?? true,
    stats,
    chat: (request, callOptions) => answer(request, callOptions),
    async stream(request, callOptions) {
      const result = await answer(request, callOptions);
      // Word-sized deltas, whitespace kept, so the concatenation is exactly the text.
      for (const piece of result.text.match(/\S+\s*|\s+/g) ?? []) callOptions.onToken(piece);
      return result;
    },
  };
}
