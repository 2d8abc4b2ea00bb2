import { DomainError } from '../../shared/errors.js';
import type { UpdateTodoInput } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import type { TodoStatus } from '../db/schema.js';
import { getTodo } from './get-todo.js';
import { availableEventData } from './todo-events.js';
import type { TodoRecord } from './todo-record.js';

type UpdatableField = 'priority' | 'reward' | 'availableAt';

/**
 * Which statuses each field may change in, and how to say so. Priority orders claims for as long
 * as the todo may still be claimed (again); a reward only while nobody works for the one they
 * claimed it at; the time it becomes claimable only while it waits in the queue.
 */
const CHANGEABLE: Record<UpdatableField, { statuses: readonly TodoStatus[]; while: string }> = {
  priority: { statuses: ['initialized', 'in_progress', 'draft_pr_received', 'failed'], while: 'queued, in progress or failed' },
  reward: { statuses: ['initialized', 'failed'], while: 'queued or failed (a node that claimed it works for the reward it saw)' },
  availableAt: { statuses: ['initialized'], while: 'queued' },
};

const FIELD_WORDS: Record<UpdatableField, string> = { priority: 'priority', reward: 'reward', availableAt: 'claimable time' };

export type TodoChanges = Partial<Record<UpdatableField, { from: number; to: number }>>;

export interface TodoUpdateResult {
  todo: TodoRecord;
  /** Only the fields whose value changed (empty when every given value was already the todo's). */
  changes: TodoChanges;
}

/**
 * Changes a todo's priority, reward or claimable time (one transaction, event `todo.updated` with
 * each change's old and new value). A queued todo that is claimable afterwards is announced again
 * (`todo.available` with its new priority and reward) so idle workers look at it; one moved into
 * the future waits for the sweeper to announce it, like a scheduled todo.
 */
export function updateTodo(core: Core, input: UpdateTodoInput, now = Date.now()): TodoUpdateResult {
  const result = immediate(core.db, () => {
    const current = getTodo(core, input.id);
    const wanted: Partial<Record<UpdatableField, number>> = {
      ...(input.priority === undefined ? {} : { priority: input.priority }),
      ...(input.reward === undefined ? {} : { reward: input.reward }),
      ...(input.availableAt === undefined ? {} : { availableAt: input.availableAt }),
    };
    for (const field of Object.keys(wanted) as UpdatableField[]) {
      const rule = CHANGEABLE[field];
      if (!rule.statuses.includes(current.status)) {
        throw new DomainError(
          'TODO_STATE_CONFLICT',
          `todo ${input.id} is ${current.status}; its ${FIELD_WORDS[field]} can change only while it is ${rule.while}`,
        );
      }
    }
    const changes: TodoChanges = {};
    for (const [field, to] of Object.entries(wanted) as [UpdatableField, number][]) {
      if (current[field] !== to) changes[field] = { from: current[field], to };
    }
    if (Object.keys(changes).length === 0) return { changes, changed: false };

    const next = { priority: wanted.priority ?? current.priority, reward: wanted.reward ?? current.reward, availableAt: wanted.availableAt ?? current.availableAt };
    const claimableNow = current.status === 'initialized' && next.availableAt <= now;
    cachedStatement(
      core.sqlite,
      `UPDATE todos SET priority = @priority, reward = @reward, available_at = @availableAt,
         announced = CASE WHEN status = 'initialized' THEN @announced ELSE announced END, updated_at = @now
       WHERE id = @id`,
    ).run({ ...next, announced: claimableNow ? 1 : 0, now, id: input.id });
    appendEvent(core.sqlite, { type: 'todo.updated', todoId: input.id, data: { status: current.status, changes } }, now);
    if (claimableNow) {
      appendEvent(core.sqlite, { type: 'todo.available', todoId: input.id, data: availableEventData({ ...next, spec: current.spec }, input.id) }, now);
    }
    return { changes, changed: true };
  });
  if (result.changed) core.bus.notify();
  return { todo: getTodo(core, input.id), changes: result.changes };
}
