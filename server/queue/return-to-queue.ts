import type Database from 'better-sqlite3';
import type { AssignmentOutcome } from '../db/schema.js';
import { cachedStatement } from '../db/statements.js';
import { appendEvent } from '../events/append-event.js';
import { availableEventData } from './todo-events.js';

export interface ReturnedTodo {
  todoId: number;
  leaseToken: string;
  holderKey: string;
}

/**
 * Ends a lease and puts the todo back in the queue, or marks it `failed` once its attempts are
 * spent. Shared by reported failures, expired leases, releases and declines (those two refund the attempt).
 * Must run inside the caller's transaction, after the caller matched the lease.
 */
export function returnToQueue(
  sqlite: Database.Database,
  todo: ReturnedTodo,
  why: {
    outcome: Extract<AssignmentOutcome, 'failed' | 'expired' | 'released' | 'declined'>;
    /** Kept on the assignment and in the event. */
    error: string | null;
    /** What the todo's `last_error` says instead, when it needs more context than `error`. */
    lastError?: string;
  },
  now: number,
): 'initialized' | 'failed' {
  const refund = why.outcome === 'released' || why.outcome === 'declined' ? 1 : 0;
  const row = cachedStatement(
    sqlite,
    `UPDATE todos SET
       attempts = attempts - @refund,
       status = CASE WHEN attempts - @refund >= max_attempts THEN 'failed' ELSE 'initialized' END,
       announced = CASE WHEN attempts - @refund >= max_attempts THEN announced ELSE 1 END,
       available_at = CASE WHEN available_at > @now THEN available_at ELSE @now END,
       lease_token = NULL, lease_expires_at = NULL, holder_key = NULL,
       last_error = coalesce(@error, last_error), updated_at = @now
     WHERE id = @todoId AND lease_token = @leaseToken AND status = 'in_progress'
     RETURNING status, priority, reward, attempts, max_attempts, swarm_type`,
  ).get({ refund, now, error: why.lastError ?? why.error, todoId: todo.todoId, leaseToken: todo.leaseToken }) as
    | { status: 'initialized' | 'failed'; priority: number; reward: number; attempts: number; max_attempts: number; swarm_type: string | null }
    | undefined;
  if (!row) throw new Error(`returnToQueue: lease of todo ${todo.todoId} no longer matches`);

  cachedStatement(
    sqlite,
    `UPDATE assignments SET outcome = ?, ended_at = ?, error = ? WHERE todo_id = ? AND lease_token = ?`,
  ).run(why.outcome, now, why.error, todo.todoId, todo.leaseToken);

  const reasonEvent = { failed: 'todo.failed_attempt', expired: 'todo.lease_expired', released: 'todo.released', declined: 'todo.declined' }[why.outcome];
  appendEvent(
    sqlite,
    { type: reasonEvent, todoId: todo.todoId, data: { stakingKey: todo.holderKey, error: why.error, attempts: row.attempts } },
    now,
  );
  if (row.status === 'failed') {
    appendEvent(sqlite, { type: 'todo.failed', todoId: todo.todoId, data: { attempts: row.attempts, error: why.error } }, now);
  } else {
    appendEvent(
      sqlite,
      {
        type: 'todo.available',
        todoId: todo.todoId,
        data: availableEventData({ priority: row.priority, reward: row.reward, spec: { swarm_type: row.swarm_type ?? undefined } }, todo.todoId),
      },
      now,
    );
  }
  return row.status;
}
