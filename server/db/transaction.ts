import type { Db } from './open.js';

/**
 * Runs `work` in one synchronous `BEGIN IMMEDIATE` transaction. The callback must be
 * synchronous: better-sqlite3 rejects promise-returning transaction functions, and an awaited
 * statement would escape the transaction.
 */
export function immediate<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work).immediate();
}
