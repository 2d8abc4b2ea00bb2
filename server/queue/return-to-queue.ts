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
 * Ends a lease and puts the todo back in the queue (at once, or after a back-off for a reported
 * failure), or marks it `failed` once its attempts are spent. Shared by reported failures, expired leases, releases and declines (those two refund the attempt).
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
    /** A reported failure backs off before the next claim: base·2^(attempts−1), at most max (base 0: at once). */
    backoff?: { baseMs: number; maxMs: number };
  },
  now: number,
): 'initialized' | 'failed' {
  const refund = why.outcome === 'released' || why.outcome === 'declined' ? 1 : 0;
  const backoff = why.backoff ?? { baseMs: 0, maxMs: 0 };
  const row = cachedStatement(
    sqlite,
    `UPDATE todos SET
       attempts = attempts - @refund,
       status = CASE WHEN attempts - @refund >= max_attempts THEN 'failed' ELSE 'initialized' END,
       announced = CASE WHEN attempts - @refund >= max_attempts THEN announced WHEN @backoffBase > 0 THEN 0 ELSE 1 END,
       available_at = CASE
         WHEN attempts - @refund < max_attempts AND @backoffBase > 0 THEN @now + min(@backoffMax, @backoffBase * (1 << min(attempts - 1, 30)))
         WHEN available_at > @now THEN available_at ELSE @now END,
       lease_token = NULL, lease_expires_at = NULL, holder_key = NULL,
       last_error = coalesce(@error, last_error), updated_at = @now
     WHERE id = @todoId AND lease_token = @leaseToken AND status = 'in_progress'
     RETURNING status, priority, reward, attempts, max_attempts, swarm_type, available_at`,
  ).get({
    refund,
    now,
    error: why.lastError ?? why.error,
    todoId: todo.todoId,
    leaseToken: todo.leaseToken,
    backoffBase: backoff.baseMs,
    backoffMax: backoff.maxMs,
  }) as
    | { status: 'initialized' | 'failed'; priority: number; reward: number; attempts: number; max_attempts: number; swarm_type: string | null; available_at: number }
    | undefined;
  if (!row) throw new Error(`returnToQueue: lease of todo ${todo.todoId} no longer matches`);

  cachedStatement(
    sqlite,
    `UPDATE assignments SET outcome = ?, ended_at = ?, error = ? WHERE todo_id = ? AND lease_token = ?`,
  ).run(why.outcome, now, why.error, todo.todoId, todo.leaseToken);

  const reasonEvent = { failed: 'todo.failed_attempt', expired: 'todo.lease_expired', released: 'todo.released', declined: 'todo.declined' }[why.outcome];
  // Backing off: claimable again at retryAt, announced then by the sweeper.
  const retryAt = row.status === 'initialized' && backoff.baseMs > 0 ? row.available_at : undefined;
  appendEvent(
    sqlite,
    { type: reasonEvent, todoId: todo.todoId, data: { stakingKey: todo.holderKey, error: why.error, attempts: row.attempts, ...(retryAt === undefined ? {} : { retryAt }) } },
    now,
  );
  if (row.status === 'failed') {
    appendEvent(sqlite, { type: 'todo.failed', todoId: todo.todoId, data: { attempts: row.attempts, error: why.error } }, now);
  } else if (retryAt === undefined) {
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
