import type { LeaseOutcome } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { noteAppendedEvents } from '../events/append-event.js';
import type { Core } from '../core.js';
import type { LeaseHolder, LeaseRef } from './lease-holder.js';

export interface ResultReport extends LeaseRef {
  result?: unknown;
  prUrl?: string | undefined;
}

// Each report is [todoId, leaseToken, result (JSON), prUrl]; only rows whose lease still matches change.
// The unary `+` keeps the planner off the holder index: walking the reports and looking each todo
// up by id is O(batch), the other way round is O(batch²).
const FINISH_TODOS = `
  UPDATE todos SET status = iif(r.pr_url IS NULL, 'submitted', 'pr_received'), result = r.result, pr_url = r.pr_url,
    lease_token = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = @now
  FROM (SELECT value ->> 0 AS todo_id, value ->> 1 AS lease_token, value -> 2 AS result, value ->> 3 AS pr_url
        FROM jsonb_each(@reports)) AS r
  WHERE todos.id = r.todo_id AND todos.lease_token = r.lease_token AND +todos.holder_key = @stakingKey
    AND +todos.status = 'in_progress'
  RETURNING todos.id`;

const FINISH_ASSIGNMENTS = `
  UPDATE assignments SET outcome = 'completed', ended_at = @now, result = r.result, pr_url = r.pr_url
  FROM (SELECT value ->> 0 AS todo_id, value ->> 1 AS lease_token, value -> 2 AS result, value ->> 3 AS pr_url
        FROM jsonb_each(@reports)) AS r
  WHERE assignments.todo_id = r.todo_id AND assignments.lease_token = r.lease_token`;

const RECORD_EVENTS = `
  INSERT INTO events (type, todo_id, data, created_at)
  SELECT 'todo.submitted', t.id, json_object('stakingKey', @stakingKey, 'status', t.status, 'prUrl', t.pr_url), @now
  FROM json_each(@finished) AS f JOIN todos AS t ON t.id = f.value`;

/**
 * Records finished work: `in_progress` → `pr_received` (with a PR) or `submitted`, set-based in
 * one transaction. Only the current lease holder can do it; a worker whose lease expired and was
 * re-claimed gets LEASE_LOST for that item while the rest of its batch goes through.
 */
export function reportResults(core: Core, holder: LeaseHolder, reports: ResultReport[], now = Date.now()): LeaseOutcome[] {
  const encoded = JSON.stringify(
    reports.map((r) => [r.todoId, r.leaseToken, r.result === undefined ? null : r.result, r.prUrl ?? null]),
  );
  const finished = immediate(core.db, () => {
    const params = { now, stakingKey: holder.stakingKey, reports: encoded };
    const ids = cachedStatement(core.sqlite, FINISH_TODOS, 'pluck').all(params) as number[];
    if (ids.length === 0) return ids;
    const done = new Set(ids);
    const finishedReports = ids.length === reports.length ? encoded : JSON.stringify(JSON.parse(encoded).filter((r: [number]) => done.has(r[0])));
    cachedStatement(core.sqlite, FINISH_ASSIGNMENTS).run({ now, reports: finishedReports });
    noteAppendedEvents(core.sqlite, cachedStatement(core.sqlite, RECORD_EVENTS).run({ now, stakingKey: holder.stakingKey, finished: JSON.stringify(ids) }));
    return ids;
  });
  if (finished.length > 0) core.bus.notify();
  const done = new Set(finished);
  return reports.map((r): LeaseOutcome => (done.has(r.todoId) ? { todoId: r.todoId, ok: true } : { todoId: r.todoId, ok: false, reason: 'LEASE_LOST' }));
}
