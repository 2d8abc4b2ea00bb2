import type { WorkerEvent } from './events.js';
import { describeError, isDefinitiveRefusal, retryAfterMs, type WorkerRpc } from './rpc.js';
import { retryDelayMs, type RetryPolicy } from './retry.js';
import type { StoredSubmission, SubmissionStore } from './submission-store.js';

/**
 * The submission stage: every finished todo's signed submission CID reaches the coordinator
 * (`submissions.submit`), however long the coordinator is away. Entries live in the worker's
 * SQLite outbox (submission-store.ts) and are retried with backoff until the coordinator has them;
 * a definitive refusal (e.g. CONFLICT) is recorded and dropped instead of retried forever.
 *
 * The same outbox also finishes result reports that a crash or an outage interrupted: an entry
 * is stored before its result is reported, so after a restart the report is made (or found lost)
 * and the submission follows.
 */

export type ReportOutcome = { outcome: 'reported'; note?: string } | { outcome: 'lease_lost' } | { outcome: 'refused'; reason: string };

/**
 * Reports a stored entry's result (`todos.reportResults`) and records the outcome. Throws on a
 * transient failure, leaving the entry `unreported`.
 *
 * LEASE_LOST is ambiguous after an earlier attempt whose answer never arrived: that attempt may
 * have gone through (which also ends the lease). Then the entry goes on to be submitted — the
 * auditors check against the coordinator's record whether the assignment really was completed.
 * On a first attempt LEASE_LOST is certain: the work is dropped.
 */
export async function reportStoredResult(store: SubmissionStore, rpc: WorkerRpc, entry: StoredSubmission, signal?: AbortSignal): Promise<ReportOutcome> {
  const attempt = store.noteReportAttempt(entry.id);
  let outcomes;
  try {
    outcomes = await rpc.call(
      'todos.reportResults',
      { results: [{ todoId: entry.todoId, leaseToken: entry.leaseToken, result: entry.result, ...(entry.prUrl ? { prUrl: entry.prUrl } : {}) }] },
      signal ? { signal } : {},
    );
  } catch (error) {
    if (!isDefinitiveRefusal(error)) throw error;
    const reason = `result report refused: ${describeError(error)}`;
    store.markDropped(entry.id, reason);
    return { outcome: 'refused', reason };
  }
  if (outcomes[0]?.ok) {
    store.markReported(entry.id);
    return { outcome: 'reported' };
  }
  if (attempt > 1) {
    store.markReported(entry.id);
    return { outcome: 'reported', note: 'lease already closed; an earlier report may have gone through' };
  }
  store.markDropped(entry.id, 'lease lost before the result was reported');
  return { outcome: 'lease_lost' };
}

export interface SubmissionSenderOptions {
  store: SubmissionStore;
  rpc: WorkerRpc;
  emit: (event: WorkerEvent) => void;
  retry?: RetryPolicy;
}

export class SubmissionSender {
  /** Entries a running job is reporting itself; the sender leaves them alone until released. */
  private readonly owned = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private again = false;
  private started = false;
  /** After stop(deadline): nothing new starts past this time. */
  private stopAt = Number.POSITIVE_INFINITY;
  private readonly inFlight = new AbortController();

  constructor(private readonly options: SubmissionSenderOptions) {}

  start(): void {
    this.started = true;
    this.kick();
  }

  /** A job takes an entry over (it reports the result itself while it still holds the lease). */
  own(id: number): void {
    this.owned.add(id);
  }

  /** The job is done with the entry: whatever is left of it (report, submit) is the sender's. */
  release(id: number): void {
    this.owned.delete(id);
    this.kick();
  }

  pendingCount(): number {
    return this.options.store.pendingCount(this.options.rpc.stakingKey, this.options.rpc.taskId);
  }

  private get expired(): boolean {
    return Date.now() >= this.stopAt;
  }

  /** Sends what is due now (and again later, when the next entry comes due). */
  kick(): void {
    if (!this.started || this.expired) return;
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.again && !this.expired) {
        this.again = false;
        this.kick();
      } else if (this.stopAt === Number.POSITIVE_INFINITY) {
        this.schedule();
      }
    });
  }

  /**
   * Sends what is due until `deadline` (ms since the epoch), then stops; an attempt still in
   * flight at the deadline is cut off. What is left stays in the outbox for the next start.
   */
  async stop(deadline = Date.now()): Promise<void> {
    clearTimeout(this.timer);
    if (!this.started) return;
    this.stopAt = deadline;
    this.kick();
    const cut = setTimeout(() => this.inFlight.abort(new Error('worker stopping')), Math.max(0, deadline - Date.now()));
    try {
      while (this.flushing) await this.flushing;
    } finally {
      clearTimeout(cut);
      clearTimeout(this.timer);
      this.started = false;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.started) return;
    const { store, rpc } = this.options;
    const next = store
      .due(rpc.stakingKey, rpc.taskId, Number.MAX_SAFE_INTEGER)
      .filter((entry) => !this.owned.has(entry.id))
      .reduce<number | undefined>((min, entry) => (min === undefined || entry.nextAttemptAt < min ? entry.nextAttemptAt : min), undefined);
    if (next === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(10, next - Date.now()));
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    const { store, rpc } = this.options;
    do {
      this.again = false;
      for (const entry of store.due(rpc.stakingKey, rpc.taskId)) {
        if (this.expired) return;
        if (this.owned.has(entry.id)) continue;
        await this.process(entry);
      }
    } while (this.again && !this.expired);
  }

  private async process(entry: StoredSubmission): Promise<void> {
    const { store, rpc, emit } = this.options;
    const retry = this.options.retry ?? {};
    const signal = this.inFlight.signal;
    if (entry.state === 'unreported') {
      try {
        const report = await reportStoredResult(store, rpc, entry, signal);
        if (report.outcome === 'lease_lost') {
          emit({ type: 'lease_lost', todoId: entry.todoId });
          return;
        }
        if (report.outcome === 'refused') {
          emit({ type: 'submission_dropped', todoId: entry.todoId, submissionCid: entry.submissionCid, reason: report.reason });
          return;
        }
        emit({ type: 'reported', todoId: entry.todoId, submissionCid: entry.submissionCid, ...(report.note ? { note: report.note } : {}) });
      } catch (error) {
        const attempts = store.get(entry.id)?.reportAttempts ?? entry.reportAttempts + 1;
        store.defer(entry.id, describeError(error), Date.now() + (retryAfterMs(error) ?? retryDelayMs(retry, attempts)));
        emit({ type: 'error', stage: 'report', todoId: entry.todoId, message: describeError(error) });
        return;
      }
    }
    try {
      const row = await rpc.call(
        'submissions.submit',
        { todoId: entry.todoId, round: entry.round, submissionCid: entry.submissionCid, ...(entry.prUrl ? { prUrl: entry.prUrl } : {}) },
        { signal },
      );
      store.markSent(entry.id, row.id);
      emit({ type: 'submitted', todoId: entry.todoId, round: row.round, submissionCid: entry.submissionCid, submissionId: row.id });
    } catch (error) {
      if (isDefinitiveRefusal(error)) {
        const reason = describeError(error);
        store.markRefused(entry.id, reason);
        emit({ type: 'submission_dropped', todoId: entry.todoId, submissionCid: entry.submissionCid, reason });
        return;
      }
      store.defer(entry.id, describeError(error), Date.now() + (retryAfterMs(error) ?? retryDelayMs(retry, entry.submitAttempts + 1)));
      emit({ type: 'error', stage: 'submit', todoId: entry.todoId, message: describeError(error) });
    }
  }
}
