import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface BindRoundRequest {
  todoId: number;
  /** The key whose completed assignment is bound; it must still be the todo's holder. */
  stakingKey: string;
  round: number;
  /** When given, the todo and the assignment must carry exactly this PR URL. */
  prUrl?: string | undefined;
  /** Kept on the assignment (e.g. a legacy worker's signed add-round-number request), for auditors. */
  evidence?: unknown;
}

const FIND_ASSIGNMENT = `
  SELECT id FROM assignments
  WHERE todo_id = @todoId AND staking_key = @stakingKey AND outcome = 'completed' AND round IS NULL
    AND (@prUrl IS NULL OR pr_url = @prUrl)
  ORDER BY id DESC LIMIT 1`;

// Only a reported result (`pr_received` or `submitted`) not yet bound to a round can be bound.
const BIND_TODO = `
  UPDATE todos SET status = 'in_review', round = @round, updated_at = @now
  WHERE id = @todoId AND holder_key = @stakingKey AND status IN ('pr_received', 'submitted') AND round IS NULL
    AND (@prUrl IS NULL OR pr_url = @prUrl)`;

/**
 * Moves a todo whose result was reported to `in_review`, bound to `round` (`todos.round` and the
 * completed assignment's `round`), in one transaction with its event. Returns false, changing
 * nothing, when the todo is not in that state, is held by another key, is already bound, or the
 * PR URL differs.
 */
export function bindRound(core: Core, request: BindRoundRequest, now = Date.now()): boolean {
  const params = { todoId: request.todoId, stakingKey: request.stakingKey, round: request.round, prUrl: request.prUrl ?? null, now };
  const bound = immediate(core.db, () => {
    const assignment = cachedStatement(core.sqlite, FIND_ASSIGNMENT).get(params) as { id: number } | undefined;
    if (!assignment) return false;
    if (cachedStatement(core.sqlite, BIND_TODO).run(params).changes === 0) return false;
    cachedStatement(core.sqlite, 'UPDATE assignments SET round = ?, result = coalesce(?, result) WHERE id = ?').run(
      request.round,
      request.evidence === undefined ? null : JSON.stringify(request.evidence),
      assignment.id,
    );
    appendEvent(
      core.sqlite,
      { type: 'todo.in_review', todoId: request.todoId, data: { stakingKey: request.stakingKey, round: request.round, prUrl: params.prUrl } },
      now,
    );
    return true;
  });
  if (bound) core.bus.notify();
  return bound;
}
