import { scheduledInstantMs } from '../../shared/schedule.js';
import type { CreateTodoInput } from '../../shared/todo-schemas.js';
import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { findTodoRow } from './get-todo.js';
import { availableEventData } from './todo-events.js';
import { toTodoRecord, type TodoRecord } from './todo-record.js';

export interface CreateTodoResult {
  todo: TodoRecord;
  /** false when the dedupe key matched an existing todo. */
  created: boolean;
}

export function createTodo(core: Core, input: CreateTodoInput, now = Date.now()): CreateTodoResult {
  const { id, created } = immediate(core.db, () => insertTodo(core, input, now));
  if (created) core.bus.notify();
  return { todo: toTodoRecord(findTodoRow(core, id)!), created };
}

/**
 * Writes one todo, its spec and its events; with a dedupe key already taken, writes nothing and
 * answers the existing todo's id. Runs inside the caller's transaction.
 */
export function insertTodo(core: Core, input: CreateTodoInput, now: number): { id: number; created: boolean } {
  const availableAt = input.spec.schedule
    ? scheduledInstantOrThrow(input.spec.schedule.scheduled_time, input.spec.schedule.timezone)
    : now;
  const [owner, name] = input.repo ? input.repo.split('/') : [null, null];
  const announce = availableAt <= now;
  const inserted = cachedStatement(
    core.sqlite,
    `INSERT INTO todos (task_id, status, swarm_type, repo_owner, repo_name, bounty_id, reward, priority, available_at,
       announced, attempts, max_attempts, dedupe_key, created_at, updated_at)
     VALUES (?, 'initialized', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
  ).get(
    core.queue.taskId,
    input.spec.swarm_type ?? null,
    owner,
    name,
    input.bountyId ?? null,
    input.reward ?? core.queue.defaultReward,
    input.priority,
    availableAt,
    announce ? 1 : 0,
    input.maxAttempts ?? core.queue.maxAttempts,
    input.dedupeKey ?? null,
    now,
    now,
  ) as { id: number } | undefined;
  if (!inserted) {
    const existing = cachedStatement(core.sqlite, 'SELECT id FROM todos WHERE dedupe_key = ?').get(input.dedupeKey) as
      | { id: number }
      | undefined;
    if (!existing) throw new DomainError('TODO_STATE_CONFLICT', 'dedupe key conflict without a matching todo');
    return { id: existing.id, created: false };
  }
  cachedStatement(core.sqlite, 'INSERT INTO todo_specs (todo_id, spec) VALUES (?, ?)').run(inserted.id, JSON.stringify(input.spec));
  appendEvent(core.sqlite, { type: 'todo.created', todoId: inserted.id, data: { availableAt } }, now);
  if (announce) {
    // The reward it will pay (the default when none was given), as every later announcement says.
    const announced = { ...input, reward: input.reward ?? core.queue.defaultReward };
    appendEvent(core.sqlite, { type: 'todo.available', todoId: inserted.id, data: availableEventData(announced, inserted.id) }, now);
  }
  return { id: inserted.id, created: true };
}

function scheduledInstantOrThrow(time: string, timezone: string): number {
  try {
    return scheduledInstantMs(time, timezone);
  } catch (error) {
    throw new DomainError('INVALID_INPUT', (error as Error).message, { field: 'spec.schedule' });
  }
}
