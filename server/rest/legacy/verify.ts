import { z } from 'zod';
import { openLegacy } from '../../../shared/envelope.js';
import { DomainError } from '../../../shared/errors.js';
import { requireStakedWorker } from '../../auth/workers.js';
import type { Core } from '../../core.js';
import { failure, MESSAGES, type LegacyResponse } from './responses.js';

/** Every signed legacy endpoint: body `{signature, stakingKey}`; other body keys are ignored. */
export const SignedBodySchema = z.object({ signature: z.string().min(1), stakingKey: z.string().min(1) });

/**
 * Fields every signed payload carries. `timestamp` (ms) is an optional extension: Koii workers
 * do not send it; a client that does gets its signature checked against the signature window
 * and its request treated as strictly one-shot.
 */
const PayloadBaseSchema = z.looseObject({
  taskId: z.string(),
  action: z.string(),
  stakingKey: z.string(),
  timestamp: z.number().optional(),
});

/** `swarmBountyId` as upstream accepts it: any non-empty id, numbers read as their decimal string. */
export const BountyIdSchema = z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).transform(String);
export const PrUrlSchema = z.string().min(1).max(2000);
export const GithubUsernameSchema = z.string().min(1).max(200);

export interface VerifiedRequest<T> {
  stakingKey: string;
  signature: string;
  payload: T;
  /** The payload carried a timestamp inside the window. */
  timestamped: boolean;
}

export type Verification<T> = { ok: true; request: VerifiedRequest<T> } | { ok: false; response: LegacyResponse };

/**
 * Opens the attached signature with the body's staking key and checks what upstream checks:
 * `taskId` is this coordinator's, `action` is the endpoint's, the `stakingKey` inside is the
 * body's, and the endpoint's own fields (`payloadSchema`, parsed from the signed bytes, so
 * stripping unknown keys cannot change what was verified). Any failure: 401 "Failed to verify
 * signature".
 */
export function verifySignature<S extends z.ZodType>(
  core: Pick<Core, 'auth'>,
  body: { signature: string; stakingKey: string },
  action: string,
  payloadSchema: S,
  now: number,
): Verification<z.output<S>> {
  const bad: Verification<never> = { ok: false, response: failure(401, MESSAGES.badSignature) };
  const opened = openLegacy(body.signature, body.stakingKey);
  if (!opened.ok) return bad;
  const base = PayloadBaseSchema.safeParse(opened.data);
  if (!base.success) return bad;
  const { taskId, stakingKey, timestamp } = base.data;
  if (taskId !== core.auth.taskId || base.data.action !== action || stakingKey !== body.stakingKey) return bad;
  if (timestamp !== undefined && !(Math.abs(now - timestamp) <= core.auth.signatureWindowMs)) return bad;
  const own = payloadSchema.safeParse(opened.data);
  if (!own.success) return bad;
  return {
    ok: true,
    request: { stakingKey, signature: body.signature, payload: own.data as z.output<S>, timestamped: timestamp !== undefined },
  };
}

/** Fail closed: an unregistered key or one below the minimum stake gets 401 "Invalid staking key". */
export function stakeProblem(core: Pick<Core, 'sqlite' | 'auth'>, stakingKey: string): LegacyResponse | null {
  try {
    requireStakedWorker(core, stakingKey);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return failure(401, MESSAGES.invalidStakingKey);
    throw error;
  }
}

/** The optionally signed endpoints take the signed form as soon as a `signature` is present. */
export function carriesSignature(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { signature?: unknown }).signature != null;
}

/** Body shape → signature → stake, in upstream's order, for the endpoints that are always signed. */
export function verifyLegacyRequest<S extends z.ZodType>(
  core: Pick<Core, 'sqlite' | 'auth'>,
  body: unknown,
  action: string,
  payloadSchema: S,
  now: number,
): Verification<z.output<S>> {
  const parsed = SignedBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, response: failure(401, MESSAGES.invalidBody) };
  const verified = verifySignature(core, parsed.data, action, payloadSchema, now);
  if (!verified.ok) return verified;
  const problem = stakeProblem(core, verified.request.stakingKey);
  return problem ? { ok: false, response: problem } : verified;
}
