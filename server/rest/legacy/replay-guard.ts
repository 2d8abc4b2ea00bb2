import { createHash } from 'node:crypto';
import { cachedStatement } from '../../db/statements.js';
import { transactionRunner } from '../../db/transaction.js';
import type { Core } from '../../core.js';

/**
 * Replay protection for legacy requests. They carry no nonce, so the signature itself is the
 * replay key: sha256 of it is stored in `legacy_requests` inside the transaction that makes the
 * request's state change. A second arrival of the same signature hits the primary key and changes
 * nothing. `scope` distinguishes requests that are legitimately byte-identical (see fetch-todo).
 */
export function replayKeyOf(signature: string, scope?: string): string {
  const hash = createHash('sha256');
  if (scope !== undefined) hash.update(`${scope}\n`);
  return hash.update(signature).digest('hex');
}

/**
 * Claims the replay key; false when it was already used. Must run inside the transaction of the
 * state change it guards (`atomically`), so the key is stored if and only if the change commits.
 */
export function recordLegacyRequest(core: Core, entry: { key: string; stakingKey: string; action: string }, now: number): boolean {
  return (
    cachedStatement(
      core.sqlite,
      `INSERT INTO legacy_requests (signature_hash, staking_key, action, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (signature_hash) DO NOTHING`,
    ).run(entry.key, entry.stakingKey, entry.action, now).changes > 0
  );
}

class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `work` in one IMMEDIATE transaction. `commit: false` rolls everything back (the replay key
 * included) and still returns the value. Domain functions called inside nest as savepoints; they
 * notify the event bus only when they changed something, and work that changed something commits.
 */
export function atomically<T>(core: Core, work: () => { commit: boolean; value: T }): T {
  try {
    // Its own transaction (or savepoint, if one is open): the rollback is the point here.
    return transactionRunner(core.sqlite).immediate(() => {
      const outcome = work();
      if (!outcome.commit) throw new Rollback(outcome.value);
      return outcome.value;
    }) as T;
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
}
