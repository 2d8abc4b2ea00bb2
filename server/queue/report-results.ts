import type { LeaseOutcome } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { LEASE_MATCHES, type LeaseHolder, type LeaseRef } from './lease-holder.js';

export interface ResultReport extends LeaseRef {
  result?: unknown;
  prUrl?: string | undefined;
}

/**
 * Records finished work: `in_progress` → `pr_received` (with a PR) or `submitted`. Only the
 * current lease holder can do it; a worker whose lease expired and was re-claimed gets LEASE_LOST.
 */
export function reportResults(core: Core, holder: LeaseHolder, reports: ResultReport[], now = Date.now()): LeaseOutcome[] {
  const outcomes = immediate(core.db, () => {
    const finishTodo = cachedStatement(
      core.sqlite,
      `UPDATE todos SET status = @status, result = @result, pr_url = @prUrl, lease_token = NULL,
         lease_expires_at = NULL, last_error = NULL, updated_at = @now
       WHERE ${LEASE_MATCHES}`,
    );
    const finishAssignment = cachedStatement(
      core.sqlite,
      `UPDATE assignments SET outcome = 'completed', ended_at = ?, result = ?, pr_url = ?
       WHERE todo_id = ? AND lease_token = ?`,
    );
    return reports.map((report): LeaseOutcome => {
      const status = report.prUrl ? 'pr_received' : 'submitted';
      const result = report.result === undefined ? null : JSON.stringify(report.result);
      const prUrl = report.prUrl ?? null;
      const changed = finishTodo.run({
        todoId: report.todoId,
        leaseToken: report.leaseToken,
        stakingKey: holder.stakingKey,
        status,
        result,
        prUrl,
        now,
      }).changes;
      if (changed === 0) return { todoId: report.todoId, ok: false, reason: 'LEASE_LOST' };
      finishAssignment.run(now, result, prUrl, report.todoId, report.leaseToken);
      appendEvent(
        core.sqlite,
        { type: 'todo.submitted', todoId: report.todoId, data: { stakingKey: holder.stakingKey, status, prUrl } },
        now,
      );
      return { todoId: report.todoId, ok: true };
    });
  });
  if (outcomes.some((o) => o.ok)) core.bus.notify();
  return outcomes;
}
