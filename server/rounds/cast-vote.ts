import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface VoteInput {
  auditId: number;
  vote: 'approve' | 'reject';
  reason: string;
}

/**
 * Records an auditor's vote with the signed envelope it came in (anyone can re-verify it later).
 * Only the assigned auditor can vote, once, and only while the audit is open. Runs inside the
 * caller's transaction (the signed procedure's, which also records the nonce).
 */
export function castVote(core: Core, auditorKey: string, input: VoteInput, signedVote: unknown, now = Date.now()): { auditId: number; submissionId: number } {
  const audit = cachedStatement(
    core.sqlite,
    'SELECT a.id, a.submission_id, a.auditor_key, a.status, a.due_at, s.todo_id FROM audits a JOIN submissions s ON s.id = a.submission_id WHERE a.id = ?',
  ).get(input.auditId) as { id: number; submission_id: number; auditor_key: string; status: string; due_at: number; todo_id: number } | undefined;
  if (!audit || audit.auditor_key !== auditorKey) {
    throw new DomainError('TODO_NOT_FOUND', `audit ${input.auditId} is not assigned to this staking key`);
  }
  if (audit.status !== 'assigned' || audit.due_at < now) {
    throw new DomainError('TODO_STATE_CONFLICT', `audit ${input.auditId} is ${audit.status === 'assigned' ? 'past its deadline' : audit.status}`);
  }
  cachedStatement(
    core.sqlite,
    `UPDATE audits SET status = 'voted', vote = ?, reason = ?, signed_vote = ?, voted_at = ? WHERE id = ?`,
  ).run(input.vote, input.reason, JSON.stringify(signedVote), now, input.auditId);
  cachedStatement(
    core.sqlite,
    `UPDATE submissions SET approvals = approvals + ?, rejections = rejections + ? WHERE id = ?`,
  ).run(input.vote === 'approve' ? 1 : 0, input.vote === 'reject' ? 1 : 0, audit.submission_id);
  appendEvent(
    core.sqlite,
    { type: 'audit.voted', todoId: audit.todo_id, data: { auditId: input.auditId, submissionId: audit.submission_id, auditorKey, vote: input.vote, reason: input.reason } },
    now,
  );
  return { auditId: input.auditId, submissionId: audit.submission_id };
}
