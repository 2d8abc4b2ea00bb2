import { DomainError } from '../../shared/errors.js';
import { cachedStatement, literalLimit } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { getTodo } from './get-todo.js';
import { TYPE_AND_REPO_CONDITIONS, typeAndRepoParams } from './todo-filters.js';
import type { TodoRecord } from './todo-record.js';

const CANCELLABLE = ['initialized', 'in_progress'];

/** Ends a queued or held todo inside the caller's transaction: its active lease ends too, and a holder's later reports get LEASE_LOST. */
function cancelInTransaction(core: Core, todoId: number, previousStatus: string, now: number): void {
  cachedStatement(core.sqlite, `UPDATE assignments SET outcome = 'cancelled', ended_at = ? WHERE todo_id = ? AND outcome = 'active'`).run(now, todoId);
  cachedStatement(
    core.sqlite,
    `UPDATE todos SET status = 'cancelled', lease_token = NULL, lease_expires_at = NULL, holder_key = NULL, updated_at = ?
     WHERE id = ?`,
  ).run(now, todoId);
  appendEvent(core.sqlite, { type: 'todo.cancelled', todoId, data: { previousStatus } }, now);
}

/** Withdraws a todo that is queued or being worked on; a holder's later reports get LEASE_LOST. */
export function cancelTodo(core: Core, todoId: number, now = Date.now()): TodoRecord {
  immediate(core.db, () => {
    const current = getTodo(core, todoId);
    if (!CANCELLABLE.includes(current.status)) {
      throw new DomainError('TODO_STATE_CONFLICT', `todo ${todoId} is ${current.status}; only queued or in-progress todos can be cancelled`);
    }
    cancelInTransaction(core, todoId, current.status, now);
  });
  core.bus.notify();
  return getTodo(core, todoId);
}

export interface CancelMatchingFilter {
  /** Only queued (`initialized`) or only held (`in_progress`) todos; default both. */
  status?: 'initialized' | 'in_progress' | undefined;
  swarmType?: string | undefined;
  /** `owner/name`. */
  repo?: string | undefined;
  /** At most this many, oldest first. */
  limit: number;
  /** Report which todos would be cancelled, change nothing. */
  dryRun?: boolean | undefined;
}

const selectCancellable = (limit: number) => `
  SELECT id, status FROM todos
  WHERE status IN ('initialized', 'in_progress') AND (@status IS NULL OR status = @status)
    AND ${TYPE_AND_REPO_CONDITIONS}
  ORDER BY id LIMIT ${limit}`;

/**
 * Cancels every queued or held todo that matches, in one transaction (a wrong import, a campaign
 * called off), each as `cancelTodo` would, with its event.
 */
export function cancelMatchingTodos(core: Core, filter: CancelMatchingFilter, now = Date.now()): { todoIds: number[]; dryRun: boolean } {
  const params = { status: filter.status ?? null, ...typeAndRepoParams(filter) };
  const todoIds = immediate(core.db, () => {
    const rows = cachedStatement(core.sqlite, selectCancellable(literalLimit(filter.limit))).all(params) as { id: number; status: string }[];
    if (!filter.dryRun) for (const row of rows) cancelInTransaction(core, row.id, row.status, now);
    return rows.map((row) => row.id);
  });
  if (!filter.dryRun && todoIds.length > 0) core.bus.notify();
  return { todoIds, dryRun: filter.dryRun === true };
}
