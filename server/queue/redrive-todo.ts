import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { getTodo } from './get-todo.js';
import { availableEventData } from './todo-events.js';
import type { TodoRecord } from './todo-record.js';

/** Puts a failed todo back in the queue with a fresh attempt budget. */
export function redriveTodo(core: Core, todoId: number, now = Date.now()): TodoRecord {
  immediate(core.db, () => {
    const current = getTodo(core, todoId);
    if (current.status !== 'failed') {
      throw new DomainError('TODO_STATE_CONFLICT', `todo ${todoId} is ${current.status}; only failed todos can be redriven`);
    }
    cachedStatement(
      core.sqlite,
      `UPDATE todos SET status = 'initialized', attempts = 0, announced = 1, available_at = ?, last_error = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(now, now, todoId);
    appendEvent(core.sqlite, { type: 'todo.redriven', todoId, data: { previousAttempts: current.attempts } }, now);
    appendEvent(core.sqlite, { type: 'todo.available', todoId, data: availableEventData(current, todoId) }, now);
  });
  core.bus.notify();
  return getTodo(core, todoId);
}
