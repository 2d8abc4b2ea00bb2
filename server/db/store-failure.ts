import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { DomainError } from '../../shared/errors.js';

/**
 * A SQLite failure that means the store cannot take this write now (a full disk, a lock held by
 * another process, a read-only mount, a failing disk) as the domain error callers see: 503 with
 * `Retry-After`, and a message an operator can act on. Nothing was written: the statement or its
 * transaction rolled back, so a worker keeps its result and sends it again later.
 * Anything else (a bug, a constraint) is not a store failure and stays a 500.
 */
export function storeFailure(error: unknown): DomainError | null {
  if (!(error instanceof Database.SqliteError)) return null;
  const code = error.code;
  if (code === 'SQLITE_FULL') {
    return new DomainError('STORE_FULL', "The coordinator's store is full (database or disk is full); nothing was written. Retry later: the operator must free disk space.", { retryAfterMs: 30_000 });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new DomainError('STORE_BUSY', "The coordinator's store is locked by another process (a long command on its data dir?); nothing was written. Retry shortly.", { retryAfterMs: 1_000 });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new DomainError('STORE_READ_ONLY', "The coordinator's store cannot be written (read-only file or mount); nothing was written. Retry later: the operator must fix the data dir's permissions.", { retryAfterMs: 30_000 });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new DomainError('STORE_IO_ERROR', `The disk under the coordinator's store reported an I/O error (${code}); nothing was written. Retry later.`, { retryAfterMs: 30_000 });
  }
  return null;
}

/** The error as callers should see it: a store failure becomes its domain error, the rest stays. */
export function asCallerError(error: unknown): unknown {
  return storeFailure(error) ?? error;
}

const LOG_EVERY_MS = 10_000;
const lastLogged = new WeakMap<Logger, Map<string, { at: number; suppressed: number }>>();

/**
 * At most one line per key every 10 s: with a full disk every worker's every call fails, and a
 * line per call would flood the log (often on that same disk). Answers how many were held back
 * since the last line (to report with this one), or null when this one is held back too.
 */
function throttled(log: Logger, key: string, now: number): number | null {
  let byKey = lastLogged.get(log);
  if (!byKey) lastLogged.set(log, (byKey = new Map()));
  const last = byKey.get(key);
  if (last && now - last.at < LOG_EVERY_MS) {
    last.suppressed += 1;
    return null;
  }
  byKey.set(key, { at: now, suppressed: 0 });
  return last?.suppressed ?? 0;
}

const heldBack = (count: number) => (count > 0 ? { sameFailuresNotLogged: count } : {});

/** Logs a store failure that refused a call, at error level, at most once per reason every 10 s. */
export function logStoreFailure(log: Logger, failure: DomainError, now = Date.now()): void {
  const count = throttled(log, failure.reason, now);
  if (count !== null) log.error({ reason: failure.reason, ...heldBack(count) }, failure.message);
}

/**
 * Logs a failed background job (sweep, round tick, pruning). A store failure names the job and
 * SQLite's code, at most once per job and reason every 10 s (apart from the calls' limit, so a
 * job's line never hides a refused call's); a lock held elsewhere is only a warning, since the job
 * runs again on its next tick and nobody was refused. Anything else is an error with its stack.
 */
export function logJobFailure(log: Logger, error: unknown, job: string, now = Date.now()): void {
  const failed = storeFailure(error);
  if (!failed) {
    log.error({ err: error, job }, `${job} failed`);
    return;
  }
  const count = throttled(log, `${failed.reason} ${job}`, now);
  if (count === null) return;
  const fields = { reason: failed.reason, job, code: (error as InstanceType<typeof Database.SqliteError>).code, ...heldBack(count) };
  if (failed.reason === 'STORE_BUSY') log.warn(fields, `${job} failed: ${failed.message}`);
  else log.error(fields, `${job} failed: ${failed.message}`);
}
