import type Database from 'better-sqlite3';
import { transactionRunner } from './transaction.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: state changes requested in the same turn of the event loop run in one
 * `BEGIN IMMEDIATE` transaction, and their callers are answered after the one commit. A commit's
 * fixed cost (WAL write, locks, syscalls) is then shared by every concurrent call instead of paid
 * by each.
 *
 * A failing change must not take the others down, yet a savepoint per change costs a copy of
 * every page it touches (~20% of the SQL time of a claim). So the batch first runs without
 * savepoints; only if a change throws is that transaction rolled back and the batch run again
 * with a savepoint per change, so the failing one rolls back alone. Work must therefore be
 * synchronous database work that can run twice (no calls out of the process).
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
    let outcomes: Outcome[];
    try {
      outcomes = this.runTogether(batch) ?? this.runIsolated(batch);
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

  /** Every change in one transaction; null (and nothing written) if one of them threw. */
  private runTogether(batch: Pending[]): Outcome[] | null {
    const failed = Symbol('a change failed');
    let failure: Outcome | null = null;
    try {
      return this.transaction.immediate(() =>
        batch.map((item): Outcome => {
          try {
            return { ok: true, value: item.work() };
          } catch (error) {
            failure = { ok: false, error };
            throw failed;
          }
        }),
      ) as Outcome[];
    } catch (error) {
      if (error !== failed) throw error;
      // Alone in its batch, the failure is its own outcome: nothing else needs protecting.
      return batch.length === 1 ? [failure!] : null;
    }
  }

  /**
   * Each change in its own savepoint (better-sqlite3 nests transactions as SAVEPOINTs).
   * Some failures (a full disk, an I/O error) make SQLite roll back the whole transaction, not
   * just the savepoint: the changes before the failing one are gone, and carrying on would run
   * the next ones outside any transaction, each committing alone. So the failing change gets its
   * error and the others run again in a fresh transaction; every pass settles at least one change.
   */
  private runIsolated(batch: Pending[]): Outcome[] {
    const outcomes: (Outcome | undefined)[] = new Array(batch.length);
    let unsettled = batch.map((_, i) => i);
    while (unsettled.length > 0) {
      const lost = this.runPass(batch, unsettled, outcomes);
      unsettled = lost ? unsettled.filter((i) => outcomes[i] === undefined) : [];
    }
    return outcomes as Outcome[];
  }

  /** One transaction over `indexes`; true if SQLite rolled it back, voiding the outcomes of this pass but the failure's. */
  private runPass(batch: Pending[], indexes: number[], outcomes: (Outcome | undefined)[]): boolean {
    const transaction = this.transaction;
    const rolledBack = Symbol('SQLite rolled the transaction back');
    const pass = new Map<number, Outcome>();
    try {
      transaction.immediate(() => {
        for (const i of indexes) {
          try {
            pass.set(i, { ok: true, value: transaction(batch[i]!.work) });
          } catch (error) {
            if (!this.sqlite.inTransaction) {
              outcomes[i] = { ok: false, error };
              throw rolledBack;
            }
            pass.set(i, { ok: false, error });
          }
        }
      });
    } catch (error) {
      if (error !== rolledBack) throw error;
      return true;
    }
    for (const [i, outcome] of pass) outcomes[i] = outcome;
    return false;
  }

  private get transaction() {
    return transactionRunner(this.sqlite);
  }
}
