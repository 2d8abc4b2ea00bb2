/**
 * Error vocabulary shared by server and client. Every rejected call carries one of these
 * reasons in `error.data.reason`, so clients branch on a stable string, not on message text.
 */
export const ERROR_REASONS = {
  API_KEY_MISSING: 'UNAUTHORIZED',
  API_KEY_INVALID: 'UNAUTHORIZED',
  SIGNATURE_INVALID: 'UNAUTHORIZED',
  TIMESTAMP_OUT_OF_WINDOW: 'UNAUTHORIZED',
  CONNECTION_NOT_AUTHENTICATED: 'UNAUTHORIZED',
  NONCE_REPLAYED: 'CONFLICT',
  STAKING_KEY_UNKNOWN: 'NOT_FOUND',
  STAKE_TOO_LOW: 'FORBIDDEN',
  API_KEY_READ_ONLY: 'FORBIDDEN',
  TASK_ID_MISMATCH: 'FORBIDDEN',
  ACTION_MISMATCH: 'FORBIDDEN',
  TODO_NOT_FOUND: 'NOT_FOUND',
  ROUND_NOT_FOUND: 'NOT_FOUND',
  TODO_STATE_CONFLICT: 'CONFLICT',
  EVENTS_PRUNED: 'PRECONDITION_FAILED',
  EVENT_ID_UNKNOWN: 'PRECONDITION_FAILED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INVALID_INPUT: 'BAD_REQUEST',
  // The coordinator's store cannot take writes now; nothing was written, so retrying later is safe.
  STORE_FULL: 'SERVICE_UNAVAILABLE',
  STORE_BUSY: 'SERVICE_UNAVAILABLE',
  STORE_READ_ONLY: 'SERVICE_UNAVAILABLE',
  STORE_IO_ERROR: 'SERVICE_UNAVAILABLE',
} as const;

export type ErrorReason = keyof typeof ERROR_REASONS;
export type ErrorCode = (typeof ERROR_REASONS)[ErrorReason];

/** A domain failure: routers and REST adapters translate it, domain code only throws it. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details: {
      retryAfterMs?: number;
      field?: string;
      /** The coordinator's clock when it refused a stale timestamp, so a client can correct its own. */
      serverTimeMs?: number;
    } = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = ERROR_REASONS[reason];
  }
}
