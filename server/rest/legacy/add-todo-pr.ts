import { legacyLeaseMs } from './fetch-todo.js';
import { z } from 'zod';
import type { Core } from '../../core.js';
import { findHeldTodo } from '../../queue/find-by-bounty.js';
import { recordDraftPr, reopenDraft } from '../../queue/record-draft-pr.js';
import { reportResults } from '../../queue/report-results.js';
import { atomically, recordLegacyRequest, replayKeyOf } from './replay-guard.js';
import { failure, MESSAGES, success, type LegacyResponse } from './responses.js';
import { BountyIdSchema, PrUrlSchema, verifyLegacyRequest } from './verify.js';

/** Signed payload: `{taskId, swarmBountyId, prUrl, stakingKey, publicKey, action}`. */
const PrPayloadSchema = z.looseObject({ swarmBountyId: BountyIdSchema, prUrl: PrUrlSchema });

const LEASED = ['in_progress', 'draft_pr_received'];

/**
 * `POST /summarizer/worker/add-todo-pr`: the holder's final PR. The todo ends its lease as
 * `pr_received` through the queue's compare-and-swap report (a worker whose lease expired and was
 * re-claimed gets 401 "Failed to update PR URL").
 */
export function addTodoPr(core: Core, body: unknown, now: number): LegacyResponse {
  return recordPr(core, body, now, 'add-todo-pr');
}

/**
 * `POST /summarizer/worker/add-todo-draft-pr`: the holder opened its PR early and keeps working.
 * Upstream set `pr_received` here (a bug); the todo becomes `draft_pr_received`, keeps its lease
 * and has it extended.
 */
export function addTodoDraftPr(core: Core, body: unknown, now: number): LegacyResponse {
  return recordPr(core, body, now, 'add-todo-draft-pr');
}

function recordPr(core: Core, body: unknown, now: number, action: 'add-todo-pr' | 'add-todo-draft-pr'): LegacyResponse {
  const verified = verifyLegacyRequest(core, body, action, PrPayloadSchema, now);
  if (!verified.ok) return verified.response;
  const { stakingKey, signature, payload } = verified.request;
  const holder = { stakingKey };

  const swarmBountyId = atomically<string | null>(core, () => {
    if (!recordLegacyRequest(core, { key: replayKeyOf(signature), stakingKey, action }, now)) return { commit: false, value: null };
    const held = findHeldTodo(core, stakingKey, payload.swarmBountyId);
    if (!held?.leaseToken || !LEASED.includes(held.status)) return { commit: false, value: null };
    const lease = { todoId: held.todoId, leaseToken: held.leaseToken };
    let ok: boolean;
    if (action === 'add-todo-draft-pr') {
      ok = recordDraftPr(core, holder, { ...lease, prUrl: payload.prUrl, leaseMs: legacyLeaseMs(core) }, now);
    } else {
      reopenDraft(core.sqlite, holder, lease);
      ok = reportResults(core, holder, [{ ...lease, prUrl: payload.prUrl }], now)[0]?.ok === true;
    }
    return ok ? { commit: true, value: held.bountyId } : { commit: false, value: null };
  });

  return swarmBountyId === null
    ? failure(401, MESSAGES.prUpdateFailed)
    : success({ message: MESSAGES.prUpdated, swarmBountyId });
}
