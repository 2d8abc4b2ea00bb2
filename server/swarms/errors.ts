import type { SwarmResult } from './types.js';

/**
 * The swarm spec is invalid: a bad flow token, an unknown agent, too few agents for the type,
 * a model that cannot be served… `field` is the offending path (`rearrange_flow`,
 * `agents.1.model_name`, …) and `status` the HTTP status a REST face should answer with:
 * 422 for schema violations (types, missing fields), 400 for semantic ones.
 */
export class SwarmSpecError extends Error {
  override readonly name = 'SwarmSpecError';
  constructor(
    message: string,
    readonly field: string,
    readonly status: 400 | 422 = 400,
  ) {
    super(message);
  }
}

/** `budget`: the run crossed a limit its caller set (RunSwarmOptions.budget). */
export type SwarmRunErrorCode = 'aborted' | 'timeout' | 'provider' | 'invalid_model_output' | 'budget' | 'internal';

/**
 * A run that started but could not finish. `partial` holds what was produced before the
 * failure (messages, usage and cost so far), so nothing already paid for is lost.
 */
export class SwarmRunError extends Error {
  override readonly name = 'SwarmRunError';
  partial?: SwarmResult;
  constructor(
    message: string,
    readonly code: SwarmRunErrorCode,
    readonly agentName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
