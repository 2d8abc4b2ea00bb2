// Node's fetch (undici) fails with TypeError('fetch failed'), and ws with the socket error itself;
// the socket error's `code` says the coordinator was never reached.
const CONNECTION_FAILURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export interface ConnectionFailure {
  code: string;
  /** The socket error's own message, e.g. "connect ECONNREFUSED 127.0.0.1:8787". */
  message: string;
}

/** The socket error under `error` (searched through its causes) if the request never reached a server; else null. */
export function connectionFailure(error: unknown): ConnectionFailure | null {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 6; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_FAILURE_CODES.has(code)) return { code, message: cause.message || code };
  }
  return null;
}
