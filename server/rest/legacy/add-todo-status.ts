import { z } from 'zod';
import type { Core } from '../../core.js';
import { findHeldTodo } from '../../queue/find-by-bounty.js';
import { reopenDraft } from '../../queue/record-draft-pr.js';
import { reportFailures } from '../../queue/report-failures.js';
import { atomically, recordLegacyRequest, replayKeyOf } from './replay-guard.js';
import { failure, MESSAGES, success, type LegacyResponse } from './responses.js';
import { BountyIdSchema, verifyLegacyRequest } from './verify.js';

/** Signed payload: `{taskId, swarmBountyId, action: "add-todo-status", stakingKey}`. */
const StatusPayloadSchema = z.looseObject({ swarmBountyId: BountyIdSchema });

const LEASED = ['in_progress', 'draft_pr_received'];

/**
 * `POST /summarizer/worker/add-todo-status`: the worker's agent failed. Upstream meant to reset
 * the todo to `initialized` but queried a field assignees never had, so it never matched; here
 * the holder's lease ends as a failed attempt through the queue, and the todo returns to the
 * queue at once (or fails after its last attempt). The key never gets it again.
 */
export function addTodoStatus(core: Core, body: unknown, now: number): LegacyResponse {
  const verified = verifyLegacyRequest(core, body, 'add-todo-status', StatusPayloadSchema, now);
  if (!verified.ok) return verified.response;
  const { stakingKey, signature, payload } = verified.request;
  const holder = { stakingKey };

  const updated = atomically(core, () => {
    if (!recordLegacyRequest(core, { key: replayKeyOf(signature), stakingKey, action: 'add-todo-status' }, now)) {
      return { commit: false, value: false };
    }
    const held = findHeldTodo(core, stakingKey, payload.swarmBountyId);
    if (!held?.leaseToken || !LEASED.includes(held.status)) return { commit: false, value: false };
    const lease = { todoId: held.todoId, leaseToken: held.leaseToken };
    reopenDraft(core.sqlite, holder, lease);
    const ok = reportFailures(core, holder, [{ ...lease, error: 'worker reported failure (add-todo-status)' }], now)[0]?.ok === true;
    return { commit: ok, value: ok };
  });

  return updated ? success({ message: MESSAGES.statusUpdated }) : failure(401, MESSAGES.statusFailed);
}
