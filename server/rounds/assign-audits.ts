import { cachedStatement } from '../db/statements.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { roundAt } from './round-clock.js';

/** Workers seen within this window are preferred as auditors (they are likely running). */
const RECENTLY_SEEN_MS = 5 * 60_000;

/**
 * Runs inside the round tick's transaction. Audits not cast in time expire; every pending
 * submission whose audit round has come (submitted in r, audited from r+1) gets auditors up to
 * the quorum: staked keys other than the submitter and anyone who already audited it, recently
 * seen and least loaded first. With fewer eligible workers it gets fewer auditors.
 */
export function assignAudits(core: Core, now: number): { expired: number; assigned: number } {
  const current = roundAt(core.rounds, now);
  const expired = cachedStatement(
    core.sqlite,
    `UPDATE audits SET status = 'expired' WHERE status = 'assigned' AND due_at < ? RETURNING id, submission_id, auditor_key`,
  ).all(now) as { id: number; submission_id: number; auditor_key: string }[];
  for (const audit of expired) {
    appendEvent(core.sqlite, { type: 'audit.expired', data: { auditId: audit.id, submissionId: audit.submission_id, auditorKey: audit.auditor_key } }, now);
  }

  // Through the partial index of undecided submissions: left to itself the planner read every
  // submission ever made, in id order, on every tick.
  const needing = cachedStatement(
    core.sqlite,
    `SELECT s.id, s.todo_id, s.staking_key,
       (SELECT count(*) FROM audits a WHERE a.submission_id = s.id AND a.status IN ('assigned', 'voted')) AS active
     FROM submissions s INDEXED BY submissions_pending_idx
     WHERE s.status = 'pending' AND s.round < ?
     ORDER BY s.id`,
  ).all(current) as { id: number; todo_id: number; staking_key: string; active: number }[];

  let assigned = 0;
  const candidates = cachedStatement(
    core.sqlite,
    `SELECT w.staking_key FROM workers w
     WHERE w.stake >= @minStake AND w.staking_key != @submitter
       AND NOT EXISTS (SELECT 1 FROM audits a WHERE a.submission_id = @submissionId AND a.auditor_key = w.staking_key)
     ORDER BY (coalesce(w.last_seen_at, 0) >= @recent) DESC,
       (SELECT count(*) FROM audits b WHERE b.auditor_key = w.staking_key AND b.status = 'assigned') ASC,
       w.last_seen_at DESC, w.staking_key
     LIMIT @limit`,
  );
  const insert = cachedStatement(
    core.sqlite,
    `INSERT INTO audits (submission_id, auditor_key, round, status, assigned_at, due_at) VALUES (?, ?, ?, 'assigned', ?, ?) RETURNING id`,
  );
  for (const submission of needing) {
    const missing = core.rounds.auditQuorum - submission.active;
    if (missing <= 0) continue;
    const auditors = candidates.all({
      minStake: core.auth.minStake,
      submitter: submission.staking_key,
      submissionId: submission.id,
      recent: now - RECENTLY_SEEN_MS,
      limit: missing,
    }) as { staking_key: string }[];
    for (const { staking_key: auditorKey } of auditors) {
      const { id } = insert.get(submission.id, auditorKey, current, now, now + core.rounds.auditTimeoutMs) as { id: number };
      appendEvent(
        core.sqlite,
        { type: 'audit.assigned', todoId: submission.todo_id, data: { auditId: id, submissionId: submission.id, auditorKey, round: current } },
        now,
      );
      assigned += 1;
    }
  }
  return { expired: expired.length, assigned };
}
