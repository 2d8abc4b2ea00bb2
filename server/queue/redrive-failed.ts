import { cachedStatement, literalLimit } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { noteAppendedEvents } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface RedriveFailedFilter {
  /** Only todos that failed at or after this instant (ms since the epoch). */
  failedSince?: number | undefined;
  /** Only todos whose last error contains this text (case-insensitive), e.g. `429` after a provider outage. */
  errorContains?: string | undefined;
  /** At most this many, oldest failure first. */
  limit: number;
  /** Report what would be redriven, change nothing. */
  dryRun?: boolean | undefined;
}

export interface RedriveFailedResult {
  todoIds: number[];
  dryRun: boolean;
}

// Walks the failed-todos index in failure order. LIKE is case-insensitive for ASCII; the text is
// escaped so `%` and `_` in it match themselves.
const selectFailed = (limit: number) => `
  SELECT id, attempts FROM todos
  WHERE status = 'failed' AND updated_at >= @since
    AND (@contains IS NULL OR last_error LIKE '%' || @contains || '%' ESCAPE '\\')
  ORDER BY updated_at, id LIMIT ${limit}`;

const REQUEUE = `
  UPDATE todos SET status = 'initialized', attempts = 0, announced = 1, available_at = @now, last_error = NULL, updated_at = @now
  WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'failed'
  RETURNING id, priority, reward, swarm_type`;

const RECORD_EVENTS = `
  INSERT INTO events (type, todo_id, data, created_at)
  SELECT kind.type, r.value ->> 0,
         iif(kind.type = 'todo.redriven', json_object('previousAttempts', r.value ->> 1),
             json_object('todoId', r.value ->> 0, 'priority', r.value ->> 2, 'reward', r.value ->> 3, 'swarmType', r.value ->> 4)),
         @now
  FROM json_each(@rows) AS r, (SELECT 'todo.redriven' AS type, 0 AS ord UNION ALL SELECT 'todo.available', 1) AS kind
  ORDER BY r.key, kind.ord`;

/**
 * Puts failed todos back in the queue with a fresh attempt budget, all matches in one
 * transaction (what an operator does after an outage made many todos fail). Each gets the events
 * a single redrive writes: `todo.redriven`, then `todo.available`.
 */
export function redriveFailedTodos(core: Core, filter: RedriveFailedFilter, now = Date.now()): RedriveFailedResult {
  const params = {
    since: filter.failedSince ?? 0,
    contains: filter.errorContains ? filter.errorContains.replace(/[\\%_]/g, (c) => `\\${c}`) : null,
  };
  const todoIds = immediate(core.db, () => {
    const failed = cachedStatement(core.sqlite, selectFailed(literalLimit(filter.limit))).all(params) as FailedTodo[];
    return filter.dryRun ? failed.map((r) => r.id).sort((a, b) => a - b) : requeueFailed(core, failed, now);
  });
  if (!filter.dryRun && todoIds.length > 0) core.bus.notify();
  return { todoIds, dryRun: filter.dryRun === true };
}

export interface FailedTodo {
  id: number;
  /** Claims it used before it failed, recorded in its `todo.redriven` event. */
  attempts: number;
}

/**
 * The one way a failed todo goes back to the queue (single and bulk redrive): status, fresh
 * attempt budget, available now, and its two events, set-based. Runs inside the caller's
 * transaction; answers the ids requeued (those still failed), in id order.
 */
export function requeueFailed(core: Core, failed: FailedTodo[], now: number): number[] {
  if (failed.length === 0) return [];
  const previousAttempts = new Map(failed.map((r) => [r.id, r.attempts]));
  const rows = cachedStatement(core.sqlite, REQUEUE).all({ now, ids: JSON.stringify([...previousAttempts.keys()]) }) as {
    id: number;
    priority: number;
    reward: number;
    swarm_type: string | null;
  }[];
  rows.sort((a, b) => a.id - b.id);
  const encoded = JSON.stringify(rows.map((r) => [r.id, previousAttempts.get(r.id), r.priority, r.reward, r.swarm_type]));
  noteAppendedEvents(core.sqlite, cachedStatement(core.sqlite, RECORD_EVENTS).run({ now, rows: encoded }));
  return rows.map((r) => r.id);
}
