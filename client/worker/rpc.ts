import { getUntypedClient } from '@trpc/client';
import { cidForBytes } from '../../shared/cid.js';
import type { SignedBody, SignedOutput, SignedPath } from '../signed-calls.js';
import { connectionFailure } from '../connection-failure.js';
import { refusalData } from '../refusal-data.js';
import type { WorkerClient } from '../worker-client.js';

/**
 * The worker's calls to the coordinator, each with a time limit. A tRPC WebSocket queues calls
 * made while it is disconnected and would wait for the next connection indefinitely; a worker
 * must instead notice the outage, keep its work in its own store and retry on its own terms.
 */

export class CallTimeoutError extends Error {
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${path}: no answer from the coordinator within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}

export interface CallOptions {
  /** Default: the rpc's `callTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CurrentRound {
  number: number;
  startsAt: number;
  endsAt: number;
  roundMs: number;
  now: number;
}

/** What the coordinator says about itself to anyone (`health.check`). */
export interface CoordinatorInfo {
  taskId: string;
  /** Base units a staking key needs before it may connect, claim or audit. */
  minStake: number;
  /** Set while the coordinator's operator has paused claims (absent from older coordinators). */
  claimsPausedSince?: number | null;
  /** The key that signs its payout lists (absent from older coordinators). */
  coordinatorKey?: string;
}

export interface WorkerRpc {
  readonly stakingKey: string;
  readonly taskId: string;
  /** Signs `body` for `path` and calls it; rejects with CallTimeoutError after the time limit. */
  call<Path extends SignedPath>(path: Path, body: SignedBody<Path>, options?: CallOptions): Promise<SignedOutput<Path>>;
  currentRound(options?: CallOptions): Promise<CurrentRound>;
  coordinatorInfo(options?: CallOptions): Promise<CoordinatorInfo>;
  /**
   * Stores `bytes` in the coordinator's IPFS store and returns the CID, after checking that it is
   * the CID the bytes hash to locally (`ipfs add` semantics, CIDv1 raw leaves).
   */
  storeBytes(bytes: Uint8Array, options?: CallOptions): Promise<string>;
}

/** The worker's calls through `client`, which signs them (with its key, task id and clock). */
export function createWorkerRpc(client: WorkerClient, callTimeoutMs: number): WorkerRpc {
  const untyped = getUntypedClient(client.trpc);

  async function withTimeout<T>(path: string, options: CallOptions | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? callTimeoutMs;
    const controller = new AbortController();
    const timeout = new CallTimeoutError(path, timeoutMs);
    const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
    const outer = options?.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason instanceof Error ? controller.signal.reason : error;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  const rpc: WorkerRpc = {
    stakingKey: client.stakingKey,
    taskId: client.taskId,
    call(path, body, options) {
      return withTimeout(path, options, (signal) => client.call(path, body, { signal }));
    },
    currentRound(options) {
      return withTimeout('rounds.current', options, (signal) => untyped.query('rounds.current', undefined, { signal })) as Promise<CurrentRound>;
    },
    coordinatorInfo(options) {
      return withTimeout('health.check', options, (signal) => untyped.query('health.check', undefined, { signal })) as Promise<CoordinatorInfo>;
    },
    async storeBytes(bytes, options) {
      const expected = await cidForBytes(bytes);
      const { cid } = await rpc.call('ipfs.add', { contentBase64: Buffer.from(bytes).toString('base64'), cidVersion: 1 }, options);
      if (cid !== expected) {
        throw new Error(`ipfs.add: the coordinator answered CID ${cid}, but the bytes hash to ${expected}`);
      }
      return cid;
    },
  };
  return rpc;
}

/** Reasons a later attempt can cure: clock skew, nonce reuse (a fresh one is signed), stake set later. */
const CURABLE_REASONS = new Set(['TIMESTAMP_OUT_OF_WINDOW', 'NONCE_REPLAYED', 'STAKE_TOO_LOW', 'STAKING_KEY_UNKNOWN', 'RATE_LIMITED']);
const DEFINITIVE_CODES = new Set([
  'BAD_REQUEST',
  'PARSE_ERROR',
  'CONFLICT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  'UNPROCESSABLE_CONTENT',
  'METHOD_NOT_SUPPORTED',
  'PRECONDITION_FAILED',
]);

/**
 * True when the coordinator answered and said no in a way retrying cannot change (a conflict,
 * invalid input, an unknown todo). Transport failures, timeouts, 5xx and rate limits are not
 * refusals: they are retried.
 */
export function isDefinitiveRefusal(error: unknown): boolean {
  const data = refusalData(error);
  if (!data?.code) return false;
  if (data.reason && CURABLE_REASONS.has(data.reason)) return false;
  return DEFINITIVE_CODES.has(data.code);
}

/** The coordinator's `Retry-After` hint, when it gave one. */
export function retryAfterMs(error: unknown): number | undefined {
  const ms = refusalData(error)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? ms : undefined;
}

/** One line for logs, events and failure reports: `CODE/REASON: message`. */
export function describeError(error: unknown): string {
  const data = refusalData(error);
  const message = error instanceof Error ? error.message : String(error);
  if (data?.code) return `${data.reason ?? data.code}: ${message}`;
  const unreachable = connectionFailure(error);
  if (unreachable) return `cannot reach the coordinator: ${unreachable.message}`;
  // Wrappers such as Node's "fetch failed" keep the reason ("bad port") in their cause.
  const reason = error instanceof Error ? innermostCause(error).message : '';
  if (reason && !message.includes(reason)) return `${message}: ${reason}`;
  return message || 'unknown error';
}

function innermostCause(error: Error): Error {
  let current = error;
  for (let depth = 0; current.cause instanceof Error && depth < 6; depth++) current = current.cause;
  return current;
}
