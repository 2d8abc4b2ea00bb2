import type Database from 'better-sqlite3';
import type { Db } from './open.js';

type Runner = Database.Transaction<(work: () => unknown) => unknown>;
const runners = new WeakMap<Database.Database, Runner>();

/**
 * One better-sqlite3 transaction function per connection that runs whatever it is handed.
 * Building a transaction wrapper costs more than a small UPDATE, so hot paths reuse this one.
 * Called inside an open transaction it becomes a SAVEPOINT, as better-sqlite3 nests them.
 */
export function transactionRunner(sqlite: Database.Database): Runner {
  let runner = runners.get(sqlite);
  if (!runner) {
    runner = sqlite.transaction((work: () => unknown) => work());
    runners.set(sqlite, runner);
  }
  return runner;
}

/**
 * Runs `work` in one synchronous `BEGIN IMMEDIATE` transaction. The callback must be
 * synchronous: better-sqlite3 rejects promise-returning transaction functions, and an awaited
 * statement would escape the transaction.
 *
 * Inside a transaction that is already open (a group commit, a legacy handler's `atomically`),
 * `work` simply runs in it: a throw propagates and the enclosing unit rolls back as a whole.
 * A savepoint here would copy every page the work touches, for a partial rollback nobody asks
 * for; so never catch a failed state change inside a transaction and carry on.
 */
export function immediate<T>(db: Db, work: () => T): T {
  const sqlite = db.$client;
  if (sqlite.inTransaction) return work();
  return transactionRunner(sqlite).immediate(work) as T;
}
