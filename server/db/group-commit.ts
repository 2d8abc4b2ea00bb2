import type Database from 'better-sqlite3';
import { transactionRunner } from './transaction.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: state changes requested in the same turn of the event loop run in one
 * `BEGIN IMMEDIATE` transaction, each inside its own savepoint, and their callers are answered
 * after the one commit. A commit's fixed cost (WAL write, locks, syscalls) is then shared by every
 * concurrent call instead of paid by each; a failing change rolls back only its savepoint.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly afterCommit: () => void = () => undefined,
  ) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const transaction = transactionRunner(this.sqlite);
    try {
      transaction.immediate(() => {
        for (const item of batch) {
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: on throw only this item rolls back.
            outcomes.push({ ok: true, value: transaction(item.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    this.afterCommit();
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
