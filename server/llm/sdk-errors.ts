import { LlmCallError, type LlmCallErrorKind } from './errors.js';

/** The error classes both official SDKs export (they share the Stainless runtime). */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number | undefined };
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

function kindForStatus(status: number): LlmCallErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

/**
 * Maps an SDK failure (already retried by the SDK) to an LlmCallError. The caller's signal
 * decides between "aborted" and our own deadline, because both surface as APIUserAbortError.
 */
export function toLlmCallError(
  err: unknown,
  classes: SdkErrorClasses,
  provider: string,
  model: string,
  callerSignal: AbortSignal | undefined,
): LlmCallError {
  if (err instanceof LlmCallError) return err;
  const where = `${provider} call to ${model}`;
  if (callerSignal?.aborted) return new LlmCallError(`${where} was aborted`, 'aborted', provider, model, undefined, { cause: err });
  if (err instanceof classes.APIConnectionTimeoutError || err instanceof classes.APIUserAbortError) {
    return new LlmCallError(`${where} timed out`, 'timeout', provider, model, undefined, { cause: err });
  }
  if (err instanceof classes.APIConnectionError) {
    return new LlmCallError(`${where} could not connect: ${err.message}`, 'network', provider, model, undefined, { cause: err });
  }
  if (err instanceof classes.APIError && typeof err.status === 'number') {
    return new LlmCallError(`${where} failed with HTTP ${err.status}: ${err.message}`, kindForStatus(err.status), provider, model, err.status, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmCallError(`${where} failed: ${message}`, 'unknown', provider, model, undefined, { cause: err });
}

export function parseJsonOutput(text: string, provider: string, model: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LlmCallError(
      `${provider} model ${model} returned structured output that is not JSON: ${text.slice(0, 200)}`,
      'invalid_output',
      provider,
      model,
      undefined,
      { cause: err },
    );
  }
}

/** Tool and schema names allow only letters, digits, `_` and `-` (≤ 64) in both APIs. */
export function safeToolName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'structured_output' : cleaned;
}

/** `$schema` is noise to the APIs (and some OpenAI-compatible servers reject it). */
export function schemaForWire(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
