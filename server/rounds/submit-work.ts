import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { roundAt } from './round-clock.js';
import { ensureRound } from './ensure-round.js';

export interface SubmitWorkInput {
  todoId: number;
  /** The round the worker signed into its record; the submission is bound to the coordinator's current round. */
  round: number;
  submissionCid: string;
  prUrl?: string | undefined;
}

export interface SubmissionRow {
  id: number;
  todo_id: number;
  assignment_id: number | null;
  round: number;
  staking_key: string;
  submission_cid: string;
  pr_url: string | null;
  status: 'pending' | 'approved' | 'rejected';
  approvals: number;
  rejections: number;
  created_at: number;
  decided_at: number | null;
}

/**
 * Records a worker's submission CID for the current round. Like a submission on Koii's chain it
 * is accepted from any staked key and judged by the auditors, not here: a CID for a todo the key
 * never completed is stored (and will be voted down). The same CID twice is idempotent. When the
 * key did complete the todo, the todo moves to `in_review` bound to this round.
 */
export function submitWork(core: Core, stakingKey: string, input: SubmitWorkInput, now = Date.now()): SubmissionRow {
  const round = roundAt(core.rounds, now);
  if (input.round > round) {
    throw new DomainError('INVALID_INPUT', `payload.round ${input.round} is in the future (current round is ${round})`, { field: 'payload.round' });
  }
  const row = immediate(core.db, () => {
    const existing = cachedStatement(core.sqlite, 'SELECT * FROM submissions WHERE submission_cid = ?').get(input.submissionCid) as
      | SubmissionRow
      | undefined;
    if (existing) {
      if (existing.staking_key !== stakingKey || existing.todo_id !== input.todoId) {
        throw new DomainError('TODO_STATE_CONFLICT', `submission ${input.submissionCid} was already made by another key or for another todo`);
      }
      return existing;
    }
    const open = cachedStatement(
      core.sqlite,
      `SELECT id FROM submissions WHERE todo_id = ? AND staking_key = ? AND status = 'pending'`,
    ).get(input.todoId, stakingKey) as { id: number } | undefined;
    if (open) {
      throw new DomainError('TODO_STATE_CONFLICT', `todo ${input.todoId} already has a pending submission (${open.id}) from this key`);
    }
    const assignment = cachedStatement(
      core.sqlite,
      `SELECT id, pr_url FROM assignments WHERE todo_id = ? AND staking_key = ? AND outcome = 'completed' ORDER BY id DESC LIMIT 1`,
    ).get(input.todoId, stakingKey) as { id: number; pr_url: string | null } | undefined;
    ensureRound(core, round);
    const inserted = cachedStatement(
      core.sqlite,
      `INSERT INTO submissions (todo_id, assignment_id, round, staking_key, submission_cid, pr_url, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING *`,
    ).get(input.todoId, assignment?.id ?? null, round, stakingKey, input.submissionCid, input.prUrl ?? assignment?.pr_url ?? null, now) as SubmissionRow;
    if (assignment) {
      cachedStatement(core.sqlite, `UPDATE assignments SET round = ? WHERE id = ?`).run(round, assignment.id);
      cachedStatement(
        core.sqlite,
        `UPDATE todos SET status = 'in_review', round = ?, updated_at = ?
         WHERE id = ? AND holder_key = ? AND status IN ('submitted', 'pr_received', 'draft_pr_received')`,
      ).run(round, now, input.todoId, stakingKey);
    }
    appendEvent(
      core.sqlite,
      { type: 'submission.received', todoId: input.todoId, data: { submissionId: inserted.id, stakingKey, round, submissionCid: input.submissionCid } },
      now,
    );
    return inserted;
  });
  core.bus.notify();
  return row;
}
