import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import type { LegacySubmissionRecord } from '../../shared/submission-schemas.js';

interface Pending {
  todo_id: number;
  round: number;
  assignment_id: number;
  staking_key: string;
  github_username: string | null;
  pr_url: string;
  evidence: string;
}

/**
 * Turns legacy todos in review into submissions, so the same audits, tally and payouts decide
 * them. Runs from the round tick (after the binding committed), so a crash between storing the
 * record and recording the submission is repaired on the next tick.
 */
export async function submitLegacyReviews(core: Core, now = Date.now()): Promise<number> {
  // CROSS JOIN keeps todos in review (few, through their partial index) as the outer loop; left
  // to itself the planner walked every assignment ever made, and every submission per assignment.
  // The unary + sends the assignment lookup through todo_id (a handful) rather than the worker's key.
  const pending = cachedStatement(
    core.sqlite,
    `SELECT t.id AS todo_id, t.round, a.id AS assignment_id, a.staking_key, a.github_username, a.pr_url, a.result AS evidence
     FROM todos t CROSS JOIN assignments a ON a.todo_id = t.id AND +a.staking_key = t.holder_key AND a.outcome = 'completed'
     WHERE t.status = 'in_review' AND a.round = t.round AND a.pr_url IS NOT NULL
       AND json_extract(a.result, '$.legacy.signature') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.todo_id = a.todo_id AND s.assignment_id = a.id)
     LIMIT 100`,
  ).all() as Pending[];
  for (const row of pending) {
    const evidence = JSON.parse(row.evidence) as { legacy: { action: string; signature: string } };
    const record: LegacySubmissionRecord = {
      legacy: true,
      taskId: core.auth.taskId,
      todoId: row.todo_id,
      round: row.round,
      stakingKey: row.staking_key,
      prUrl: row.pr_url,
      githubUsername: row.github_username,
      signedRequest: { action: evidence.legacy.action, signature: evidence.legacy.signature },
    };
    const cid = await core.ipfs.add(new TextEncoder().encode(JSON.stringify(record)));
    immediate(core.db, () => {
      const inserted = cachedStatement(
        core.sqlite,
        `INSERT INTO submissions (todo_id, assignment_id, round, staking_key, submission_cid, pr_url, record, status, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, 'pending', ? WHERE NOT EXISTS (SELECT 1 FROM submissions WHERE assignment_id = ?)
         ON CONFLICT (submission_cid) DO NOTHING RETURNING id`,
      ).get(row.todo_id, row.assignment_id, row.round, row.staking_key, cid, row.pr_url, JSON.stringify(record), now, row.assignment_id) as
        | { id: number }
        | undefined;
      if (inserted) {
        appendEvent(
          core.sqlite,
          { type: 'submission.received', todoId: row.todo_id, data: { submissionId: inserted.id, stakingKey: row.staking_key, round: row.round, submissionCid: cid, legacy: true } },
          now,
        );
      }
    });
  }
  if (pending.length > 0) core.bus.notify();
  return pending.length;
}
