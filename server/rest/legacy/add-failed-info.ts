import { z } from 'zod';
import type { Core } from '../../core.js';
import { findAssignedTodoId } from '../../queue/find-by-bounty.js';
import { recordTodoError } from '../../queue/record-todo-error.js';
import { atomically, recordLegacyRequest, replayKeyOf } from './replay-guard.js';
import { failure, MESSAGES, type LegacyResponse } from './responses.js';
import { BountyIdSchema, carriesSignature, SignedBodySchema, stakeProblem, verifySignature } from './verify.js';

const ErrorTextSchema = z.string().min(1).max(16_000);

/** Upstream (unsigned) body: `{stakingKey, swarmBountyId, error}`. */
const UnsignedBodySchema = z.looseObject({ stakingKey: z.string().min(1), swarmBountyId: BountyIdSchema, error: ErrorTextSchema });

/** Signed form (not upstream): payload `{taskId, action: "add-failed-info", stakingKey, swarmBountyId, error}`. */
const SignedPayloadSchema = z.looseObject({ swarmBountyId: BountyIdSchema, error: ErrorTextSchema });

const added = (message: string): LegacyResponse => ({ status: 200, body: { message } });

/**
 * `POST /summarizer/worker/add-failed-info`: stores an error a worker reports about a bounty
 * (200 `{message}`, as upstream). Upstream took it from anyone; the unsigned body is still
 * accepted, but the key must be staked (fail closed), and the same key, bounty and error are
 * stored once ("Failed info already exists", as upstream), so a replay changes nothing. A signed
 * body must verify; its signature is a replay key like the other signed endpoints'. The error is
 * tied to the todo when the key was ever assigned it.
 */
export function addFailedInfo(core: Core, body: unknown, now: number): LegacyResponse {
  let report: { stakingKey: string; swarmBountyId: string; error: string };
  let replayKey: string | null = null;
  if (carriesSignature(body)) {
    const parsed = SignedBodySchema.safeParse(body);
    if (!parsed.success) return failure(401, MESSAGES.invalidBody);
    const verified = verifySignature(core, parsed.data, 'add-failed-info', SignedPayloadSchema, now);
    if (!verified.ok) return verified.response;
    report = { ...verified.request.payload, stakingKey: verified.request.stakingKey };
    replayKey = replayKeyOf(verified.request.signature);
  } else {
    const parsed = UnsignedBodySchema.safeParse(body);
    if (!parsed.success) return failure(401, MESSAGES.invalidBody);
    report = parsed.data;
  }
  const problem = stakeProblem(core, report.stakingKey);
  if (problem) return problem;

  const recorded = atomically(core, () => {
    if (replayKey !== null && !recordLegacyRequest(core, { key: replayKey, stakingKey: report.stakingKey, action: 'add-failed-info' }, now)) {
      return { commit: false, value: false };
    }
    const todoId = findAssignedTodoId(core, report.stakingKey, report.swarmBountyId) ?? null;
    const ok = recordTodoError(core, { stakingKey: report.stakingKey, todoId, bountyId: report.swarmBountyId, error: report.error }, now);
    return { commit: ok, value: ok };
  });
  return added(recorded ? MESSAGES.failedInfoAdded : MESSAGES.failedInfoExists);
}
