import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import type { LeaseHolder, LeaseRef } from './lease-holder.js';

/**
 * Draft pull requests (Koii `add-todo-draft-pr`): the worker opened its PR early and is still
 * working, so the todo keeps its lease in status `draft_pr_received`. The lease is extended; the
 * final report (`reportResults`) or a failure (`reportFailures`) ends it as usual, after
 * `reopenDraft` turns the status back to `in_progress` inside the same transaction.
 */
export function recordDraftPr(
  core: Core,
  holder: LeaseHolder,
  lease: LeaseRef & { prUrl: string; leaseMs?: number },
  now = Date.now(),
): boolean {
  const { leaseMs, ...ref } = lease;
  const params = { ...ref, stakingKey: holder.stakingKey, leaseExpiresAt: now + (leaseMs ?? core.queue.leaseMs), now };
  const recorded = immediate(core.db, () => {
    const changed = cachedStatement(
      core.sqlite,
      `UPDATE todos SET status = 'draft_pr_received', pr_url = @prUrl, lease_expires_at = @leaseExpiresAt, updated_at = @now
       WHERE id = @todoId AND lease_token = @leaseToken AND holder_key = @stakingKey AND status IN ('in_progress', 'draft_pr_received')`,
    ).run(params).changes;
    if (changed === 0) return false;
    cachedStatement(
      core.sqlite,
      `UPDATE assignments SET pr_url = @prUrl, lease_expires_at = @leaseExpiresAt WHERE todo_id = @todoId AND lease_token = @leaseToken`,
    ).run(params);
    appendEvent(
      core.sqlite,
      { type: 'todo.draft_pr_received', todoId: lease.todoId, data: { stakingKey: holder.stakingKey, prUrl: lease.prUrl } },
      now,
    );
    return true;
  });
  if (recorded) core.bus.notify();
  return recorded;
}

/**
 * Turns a `draft_pr_received` todo held under `lease` back to `in_progress`, so the lease
 * functions (which match `in_progress` only) can end it. Must run inside the caller's
 * transaction, directly before the call that ends the lease; it writes no event of its own.
 */
export function reopenDraft(sqlite: Database.Database, holder: LeaseHolder, lease: LeaseRef): boolean {
  return (
    cachedStatement(
      sqlite,
      `UPDATE todos SET status = 'in_progress'
       WHERE id = @todoId AND lease_token = @leaseToken AND holder_key = @stakingKey AND status = 'draft_pr_received'`,
    ).run({ ...lease, stakingKey: holder.stakingKey }).changes > 0
  );
}
