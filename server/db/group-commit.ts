import type Database from 'better-sqlite3';
import { transactionRunner } from './transaction.js';

interface Pending {
  work: () => unknown;
  weight: number;
  source: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * How many todos one source (a worker's staking key) must bring in one turn before the turn
 * commits in two halves. Measured on 2 cores, batch 32, one worker, 12 alternating pairs each
 * (2026-12-03): 64 calls in flight gained 14% (12 of 12 pairs), 32 calls 12% (11 of 12). At 16
 * calls (1,024 todos) splitting lost 2–6%, as did a split by the turn's total weight for 64
 * workers with one call each (−11%): their calls do not arrive as one burst, so there was no wait
 * to fill, only an extra commit and turn.
 */
export const DEFAULT_SPLIT_AT_WEIGHT = 2048;

/**
 * Where a batch splits into two halves of about equal weight, or its length when no single source
 * in it weighs `splitAtWeight` (a change without a source counts as its own).
 */
export function splitPoint(batch: readonly { weight: number; source?: string | undefined }[], splitAtWeight: number): number {
  if (batch.length < 2 || splitAtWeight <= 0) return batch.length;
  const bySource = new Map<string, number>();
  let heaviest = 0;
  let total = 0;
  for (const item of batch) {
    total += item.weight;
    const sourceWeight = item.source === undefined ? item.weight : (bySource.get(item.source) ?? 0) + item.weight;
    if (item.source !== undefined) bySource.set(item.source, sourceWeight);
    heaviest = Math.max(heaviest, sourceWeight);
  }
  if (heaviest < splitAtWeight) return batch.length;
  let sum = 0;
  for (let i = 0; i < batch.length - 1; i++) {
    sum += batch[i]!.weight;
    if (sum * 2 >= total) return i + 1;
  }
  return batch.length - 1;
}

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
 *
 * A turn in which one worker brings much work (`splitAtWeight`, in todos) commits in two halves,
 * one turn apart. Otherwise that worker and the coordinator take turns: the worker's calls arrive
 * at once, it waits while they run in one group, then prepares all its next calls while the
 * coordinator waits. With two halves, the first half's answers are on their way while the second
 * half runs.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  /** The second half of a split turn: it runs next, as it is (split again, the halves would shrink every turn). */
  private held: Pending[] | null = null;
  private scheduled = false;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly afterCommit: () => void = () => undefined,
    private readonly splitAtWeight = DEFAULT_SPLIT_AT_WEIGHT,
  ) {}

  /** `weight`: about how many todos the change touches; `source`: who asks (a staking key), whose calls may arrive as one burst. */
  run<T>(work: () => T, weight = 1, source?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, weight, source, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** What this turn commits: a held half, or what is pending (its first half, if heavy). */
  private nextBatch(): Pending[] {
    if (this.held) {
      const held = this.held;
      this.held = null;
      return held;
    }
    const batch = this.pending;
    this.pending = [];
    const at = splitPoint(batch, this.splitAtWeight);
    if (at === batch.length) return batch;
    this.held = batch.slice(at);
    return batch.slice(0, at);
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.nextBatch();
    if (this.held || this.pending.length > 0) this.schedule();
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
