/** Errors of the provider layer. Each carries enough structure for callers to map it to a status. */

/** The model cannot be routed or its provider is not configured (no key, unknown prefix, …). */
export class LlmConfigError extends Error {
  override readonly name = 'LlmConfigError';
  constructor(
    message: string,
    /** The environment variable that would fix it, when there is one. */
    readonly envVar?: string,
  ) {
    super(message);
  }
}

/** `SWARMTASK_MODEL_MAP` (or `--model-map`) could not be parsed. */
export class ModelMapSyntaxError extends Error {
  override readonly name = 'ModelMapSyntaxError';
  constructor(
    message: string,
    readonly entry: string,
  ) {
    super(message);
  }
}

export type LlmCallErrorKind =
  | 'aborted'
  | 'timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'auth'
  | 'bad_request'
  | 'network'
  | 'invalid_output'
  | 'unsupported'
  | 'unknown';

/** A model call failed (after the SDK's own retries). */
export class LlmCallError extends Error {
  override readonly name = 'LlmCallError';
  constructor(
    message: string,
    readonly kind: LlmCallErrorKind,
    readonly provider: string,
    readonly model: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
