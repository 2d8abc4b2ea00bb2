import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { getTodo } from './get-todo.js';
import type { TodoRecord } from './todo-record.js';

const CANCELLABLE = ['initialized', 'in_progress'];

/** Withdraws a todo that is queued or being worked on; a holder's later reports get LEASE_LOST. */
export function cancelTodo(core: Core, todoId: number, now = Date.now()): TodoRecord {
  immediate(core.db, () => {
    const current = getTodo(core, todoId);
    if (!CANCELLABLE.includes(current.status)) {
      throw new DomainError('TODO_STATE_CONFLICT', `todo ${todoId} is ${current.status}; only queued or in-progress todos can be cancelled`);
    }
    cachedStatement(
      core.sqlite,
      `UPDATE assignments SET outcome = 'cancelled', ended_at = ? WHERE todo_id = ? AND outcome = 'active'`,
    ).run(now, todoId);
    cachedStatement(
      core.sqlite,
      `UPDATE todos SET status = 'cancelled', lease_token = NULL, lease_expires_at = NULL, holder_key = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(now, todoId);
    appendEvent(core.sqlite, { type: 'todo.cancelled', todoId, data: { previousStatus: current.status } }, now);
  });
  core.bus.notify();
  return getTodo(core, todoId);
}
