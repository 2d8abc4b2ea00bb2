import { DomainError, type ErrorCode } from '../../shared/errors.js';
import { asCallerError } from '../db/store-failure.js';
import { LlmConfigError } from '../llm/index.js';
import { SwarmRunError, SwarmSpecError } from '../swarms/index.js';

export interface DescribedError {
  status: number;
  code: ErrorCode | 'INTERNAL_SERVER_ERROR' | 'UNPROCESSABLE_CONTENT';
  message: string;
  retryAfterMs?: number;
}

const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * One mapping from domain failures to protocol errors, shared by the tRPC middleware and the REST
 * adapters: a bad spec is the caller's fault (400/422), a model that cannot be reached without a
 * key names the variable to set (400), a store that cannot take writes is a 503 with Retry-After,
 * a failed run is a 500 with its reason.
 */
export function describeError(thrown: unknown): DescribedError | null {
  const error = asCallerError(thrown);
  if (error instanceof DomainError) {
    return { status: STATUS[error.code]!, code: error.code, message: error.message, ...(error.details.retryAfterMs ? { retryAfterMs: error.details.retryAfterMs } : {}) };
  }
  if (error instanceof SwarmSpecError) {
    return error.status === 422
      ? { status: 422, code: 'UNPROCESSABLE_CONTENT', message: error.message }
      : { status: 400, code: 'BAD_REQUEST', message: error.message };
  }
  if (error instanceof LlmConfigError) return { status: 400, code: 'BAD_REQUEST', message: error.message };
  // The run asked for more than this server lets one run spend: the request's size, not a fault here.
  if (error instanceof SwarmRunError && error.code === 'budget') {
    return { status: 400, code: 'BAD_REQUEST', message: `Failed to run swarm: ${error.message} (this server's limit per run)` };
  }
  if (error instanceof SwarmRunError) return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: `Failed to run swarm: ${error.message}` };
  return null;
}
