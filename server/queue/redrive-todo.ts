import { DomainError } from '../../shared/errors.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';
import { getTodo } from './get-todo.js';
import { requeueFailed } from './redrive-failed.js';
import type { TodoRecord } from './todo-record.js';

/** Puts a failed todo back in the queue with a fresh attempt budget. */
export function redriveTodo(core: Core, todoId: number, now = Date.now()): TodoRecord {
  immediate(core.db, () => {
    const current = getTodo(core, todoId);
    if (current.status !== 'failed') {
      throw new DomainError('TODO_STATE_CONFLICT', `todo ${todoId} is ${current.status}; only failed todos can be redriven`);
    }
    requeueFailed(core, [{ id: todoId, attempts: current.attempts }], now);
  });
  core.bus.notify();
  return getTodo(core, todoId);
}
