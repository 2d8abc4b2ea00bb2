import { LlmCallError } from './errors.js';

/** The caller's signal and a per-call timeout folded into one signal (for providers without SDK timeouts). */
export function callSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  const parts: AbortSignal[] = [];
  if (signal) parts.push(signal);
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0) parts.push(AbortSignal.timeout(timeoutMs));
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : AbortSignal.any(parts);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts (the timer is cleared either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Turns the reason of an aborted signal into the provider layer's error kinds. */
export function abortError(reason: unknown, provider: string, model: string): LlmCallError {
  const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
  return new LlmCallError(
    timedOut ? `${provider} call to ${model} timed out` : `${provider} call to ${model} was aborted`,
    timedOut ? 'timeout' : 'aborted',
    provider,
    model,
    undefined,
    { cause: reason },
  );
}
