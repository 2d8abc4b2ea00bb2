import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface TodoErrorReport {
  stakingKey: string;
  /** The todo, when the report could be tied to one this key was assigned. */
  todoId: number | null;
  /** The id the worker named (legacy `swarmBountyId`), kept as given. */
  bountyId: string | null;
  error: string;
}

/**
 * Stores an error a worker reports about a todo (Koii `add-failed-info`), with its event. The
 * same key reporting the same error for the same bounty again is not stored twice: returns
 * false and changes nothing.
 */
export function recordTodoError(core: Core, report: TodoErrorReport, now = Date.now()): boolean {
  const recorded = immediate(core.db, () => {
    const duplicate = cachedStatement(
      core.sqlite,
      `SELECT 1 FROM todo_errors WHERE staking_key = @stakingKey AND bounty_id IS @bountyId AND error = @error LIMIT 1`,
    ).get(report);
    if (duplicate) return false;
    const row = cachedStatement(
      core.sqlite,
      `INSERT INTO todo_errors (todo_id, bounty_id, staking_key, error, created_at)
       VALUES (@todoId, @bountyId, @stakingKey, @error, @now) RETURNING id`,
    ).get({ ...report, now }) as { id: number };
    appendEvent(
      core.sqlite,
      { type: 'todo.error_reported', todoId: report.todoId, data: { stakingKey: report.stakingKey, bountyId: report.bountyId, errorId: row.id } },
      now,
    );
    return true;
  });
  if (recorded) core.bus.notify();
  return recorded;
}
