import { DomainError } from '../../shared/errors.js';
import { verifyEnvelopeSignature, type SignedMeta } from '../../shared/envelope.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { requireStakedWorker, type WorkerRecord } from './workers.js';

export interface SignedRequest {
  payload: SignedMeta & Record<string, unknown>;
  stakingKey: string;
  signature: string;
}

export interface VerifyOptions {
  /** The action this procedure accepts (its tRPC path, e.g. `todos.claim`). */
  action: string;
  /** Registration itself is signed but needs no stake. */
  requireStake: boolean;
  now?: number;
}

export interface VerifiedRequest {
  worker: WorkerRecord | null;
  /** Records the nonce; throws NONCE_REPLAYED if it was used. Run it inside the state change's transaction. */
  consumeNonce(): void;
}

/**
 * Checks a signed request in the order that keeps every failure distinguishable: signature,
 * action, task id, timestamp window, staking key and stake (fail closed), then nonce reuse.
 * The nonce is recorded last, so a request refused for another reason does not burn it.
 */
export function verifySignedRequest(core: Core, request: SignedRequest, options: VerifyOptions): WorkerRecord | null {
  const verified = checkSignedRequest(core, request, options);
  verified.consumeNonce();
  return verified.worker;
}

/** Every check but the nonce, which the caller records together with the state change it allows. */
export function checkSignedRequest(core: Core, request: SignedRequest, options: VerifyOptions): VerifiedRequest {
  const now = options.now ?? Date.now();
  const { payload } = request;
  if (!verifyEnvelopeSignature(request)) {
    throw new DomainError('SIGNATURE_INVALID', `signature does not verify for staking key ${request.stakingKey}`);
  }
  if (payload.action !== options.action) {
    throw new DomainError('ACTION_MISMATCH', `payload.action is "${payload.action}" but this procedure is "${options.action}"`);
  }
  if (payload.taskId !== core.auth.taskId) {
    throw new DomainError('TASK_ID_MISMATCH', `payload.taskId "${payload.taskId}" is not this coordinator's task id "${core.auth.taskId}"`);
  }
  const skew = payload.timestamp - now;
  if (Math.abs(skew) > core.auth.signatureWindowMs) {
    throw new DomainError(
      'TIMESTAMP_OUT_OF_WINDOW',
      `payload.timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? 'old' : 'in the future'}; accepted window is ±${core.auth.signatureWindowMs / 1000} s`,
      { serverTimeMs: now },
    );
  }
  const worker = options.requireStake ? requireStakedWorker(core, request.stakingKey) : null;
  return { worker, consumeNonce: () => consumeNonce(core, request.stakingKey, payload.nonce, payload.timestamp) };
}

/**
 * Records a nonce as used under the timestamp it was signed with; a second use of the same signed
 * payload within the window is a replay. (A fresh payload with an old nonce needs the secret key,
 * which could as well sign a new nonce: the nonce guards against replays, not against its owner.)
 */
export function consumeNonce(core: Pick<Core, 'sqlite'>, stakingKey: string, nonce: string, signedAt: number): void {
  const inserted = cachedStatement(
    core.sqlite,
    'INSERT INTO nonces (issued_at, staking_key, nonce) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(signedAt, stakingKey, nonce).changes;
  if (inserted === 0) throw new DomainError('NONCE_REPLAYED', `payload.nonce "${nonce}" was already used by this staking key`);
}
