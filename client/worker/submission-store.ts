import type Database from 'better-sqlite3';
import { openWorkerDb } from './worker-db.js';

/**
 * The worker's durable outbox (a SQLite file in its data dir). A finished todo's result report
 * and signed submission go in here BEFORE anything is sent, so neither a crash of the worker nor
 * an outage of the coordinator loses work:
 *
 *   unreported → reported → sent
 *        │           └────→ refused   (the coordinator said no for good, e.g. CONFLICT)
 *        └────────────────→ dropped   (the lease was lost before the result was reported)
 *
 * Rows are kept after they leave the outbox, as the node's own history of what it submitted.
 */

export type PendingState = 'unreported' | 'reported';
export type SubmissionState = PendingState | 'sent' | 'refused' | 'dropped';

export interface NewSubmission {
  stakingKey: string;
  taskId: string;
  todoId: number;
  leaseToken: string;
  round: number;
  resultCid: string;
  submissionCid: string;
  prUrl: string | null;
  /** The `result` of the todo's result report (`{resultCid, submissionCid, final}`). */
  result: unknown;
}

export interface StoredSubmission extends NewSubmission {
  id: number;
  state: SubmissionState;
  reportAttempts: number;
  submitAttempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  coordinatorSubmissionId: number | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  staking_key: string;
  task_id: string;
  todo_id: number;
  lease_token: string;
  round: number;
  result_cid: string;
  submission_cid: string;
  pr_url: string | null;
  result: string;
  state: SubmissionState;
  report_attempts: number;
  submit_attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  coordinator_submission_id: number | null;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY,
  staking_key TEXT NOT NULL,
  task_id TEXT NOT NULL,
  todo_id INTEGER NOT NULL,
  lease_token TEXT NOT NULL,
  round INTEGER NOT NULL,
  result_cid TEXT NOT NULL,
  submission_cid TEXT NOT NULL UNIQUE,
  pr_url TEXT,
  result TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('unreported', 'reported', 'sent', 'refused', 'dropped')),
  report_attempts INTEGER NOT NULL DEFAULT 0,
  submit_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  coordinator_submission_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_pending ON submissions (staking_key, task_id, next_attempt_at) WHERE state IN ('unreported', 'reported');
`;

export { NoOutboxError } from './worker-db.js';

export const SUBMISSION_STATES: readonly SubmissionState[] = ['unreported', 'reported', 'sent', 'refused', 'dropped'];

function toStored(row: Row): StoredSubmission {
  return {
    id: row.id,
    stakingKey: row.staking_key,
    taskId: row.task_id,
    todoId: row.todo_id,
    leaseToken: row.lease_token,
    round: row.round,
    resultCid: row.result_cid,
    submissionCid: row.submission_cid,
    prUrl: row.pr_url,
    result: JSON.parse(row.result) as unknown,
    state: row.state,
    reportAttempts: row.report_attempts,
    submitAttempts: row.submit_attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    coordinatorSubmissionId: row.coordinator_submission_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SubmissionStore {
  private readonly db: Database.Database;
  readonly file: string;

  /**
   * Opens (creating) `<dataDir>/worker.db`; with `readOnly`, opens an existing one to look at
   * (a running worker may be writing it meanwhile) and throws NoOutboxError if there is none.
   */
  constructor(dataDir: string, options: { readOnly?: boolean } = {}) {
    ({ db: this.db, file: this.file } = openWorkerDb(dataDir, options));
    if (options.readOnly) return;
    // Every write must be on disk before the worker goes on to report: the outbox is the proof.
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  /** Records a finished todo's report and submission; returns the stored row. Idempotent per submission CID. */
  add(entry: NewSubmission, now = Date.now()): StoredSubmission {
    this.db
      .prepare(
        `INSERT INTO submissions (staking_key, task_id, todo_id, lease_token, round, result_cid, submission_cid, pr_url, result, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'unreported', ?, ?)
         ON CONFLICT (submission_cid) DO NOTHING`,
      )
      .run(
        entry.stakingKey,
        entry.taskId,
        entry.todoId,
        entry.leaseToken,
        entry.round,
        entry.resultCid,
        entry.submissionCid,
        entry.prUrl,
        JSON.stringify(entry.result ?? null),
        now,
        now,
      );
    return this.byCid(entry.submissionCid)!;
  }

  get(id: number): StoredSubmission | undefined {
    const row = this.db.prepare('SELECT * FROM submissions WHERE id = ?').get(id) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  byCid(submissionCid: string): StoredSubmission | undefined {
    const row = this.db.prepare('SELECT * FROM submissions WHERE submission_cid = ?').get(submissionCid) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  /** Entries still to be reported or submitted for this key and task, due by `now`, oldest first. */
  due(stakingKey: string, taskId: string, now = Date.now()): StoredSubmission[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM submissions WHERE staking_key = ? AND task_id = ? AND state IN ('unreported', 'reported') AND next_attempt_at <= ?
         ORDER BY id`,
      )
      .all(stakingKey, taskId, now) as Row[];
    return rows.map(toStored);
  }

  pendingCount(stakingKey?: string, taskId?: string): number {
    const row = this.db
      .prepare(
        `SELECT count(*) AS n FROM submissions WHERE state IN ('unreported', 'reported')
         AND (@key IS NULL OR staking_key = @key) AND (@task IS NULL OR task_id = @task)`,
      )
      .get({ key: stakingKey ?? null, task: taskId ?? null }) as { n: number };
    return row.n;
  }

  /** How many entries are in each state (every state named, zeros included). */
  countsByState(): Record<SubmissionState, number> {
    const counts: Record<SubmissionState, number> = { unreported: 0, reported: 0, sent: 0, refused: 0, dropped: 0 };
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM submissions GROUP BY state').all() as { state: SubmissionState; n: number }[];
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /** The newest entries first, optionally of some states or one todo; `limit` rows at most. */
  newest(filter: { states?: readonly SubmissionState[]; todoId?: number; limit: number }): StoredSubmission[] {
    const states = filter.states ?? null;
    const rows = this.db
      .prepare(
        `SELECT * FROM submissions
         WHERE (@states IS NULL OR state IN (SELECT value FROM json_each(@states))) AND (@todo IS NULL OR todo_id = @todo)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({ states: states && JSON.stringify(states), todo: filter.todoId ?? null, limit: filter.limit }) as Row[];
    return rows.map(toStored);
  }

  /** Every entry (history included), oldest first. */
  list(): StoredSubmission[] {
    return (this.db.prepare('SELECT * FROM submissions ORDER BY id').all() as Row[]).map(toStored);
  }

  /** Counted BEFORE the call goes out, so a later LEASE_LOST can tell "never reported" from "maybe reported". */
  noteReportAttempt(id: number, now = Date.now()): number {
    const row = this.db
      .prepare(`UPDATE submissions SET report_attempts = report_attempts + 1, updated_at = ? WHERE id = ? RETURNING report_attempts`)
      .get(now, id) as { report_attempts: number };
    return row.report_attempts;
  }

  markReported(id: number, now = Date.now()): void {
    this.db
      .prepare(`UPDATE submissions SET state = 'reported', next_attempt_at = 0, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'unreported'`)
      .run(now, id);
  }

  /** A failed attempt: try again at `nextAttemptAt`. */
  defer(id: number, error: string, nextAttemptAt: number, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE submissions SET next_attempt_at = ?, last_error = ?,
           submit_attempts = submit_attempts + (state = 'reported'), updated_at = ?
         WHERE id = ? AND state IN ('unreported', 'reported')`,
      )
      .run(nextAttemptAt, error, now, id);
  }

  markSent(id: number, coordinatorSubmissionId: number, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE submissions SET state = 'sent', coordinator_submission_id = ?, submit_attempts = submit_attempts + 1, last_error = NULL, updated_at = ?
         WHERE id = ?`,
      )
      .run(coordinatorSubmissionId, now, id);
  }

  /** The coordinator refused the submission for good; kept for the record, never sent again. */
  markRefused(id: number, reason: string, now = Date.now()): void {
    this.db
      .prepare(`UPDATE submissions SET state = 'refused', last_error = ?, submit_attempts = submit_attempts + 1, updated_at = ? WHERE id = ?`)
      .run(reason, now, id);
  }

  /** Never reported (the lease was lost first); kept for the record, never sent. */
  markDropped(id: number, reason: string, now = Date.now()): void {
    this.db.prepare(`UPDATE submissions SET state = 'dropped', last_error = ?, updated_at = ? WHERE id = ?`).run(reason, now, id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
