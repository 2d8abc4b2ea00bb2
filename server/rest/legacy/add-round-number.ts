import { z } from 'zod';
import type { Core } from '../../core.js';
import { bindRound } from '../../queue/bind-round.js';
import { findHeldTodo } from '../../queue/find-by-bounty.js';
import { roundAt } from '../../rounds/round-clock.js';
import { atomically, recordLegacyRequest, replayKeyOf } from './replay-guard.js';
import { failure, MESSAGES, success, type LegacyResponse } from './responses.js';
import { BountyIdSchema, PrUrlSchema, verifyLegacyRequest } from './verify.js';

/** Signed payload: `{taskId, swarmBountyId, prUrl, stakingKey, publicKey, action: "add-round-number"}`. */
const RoundPayloadSchema = z.looseObject({ swarmBountyId: BountyIdSchema, prUrl: PrUrlSchema });

/**
 * `POST /summarizer/worker/add-round-number`: binds the holder's reported PR to a round and moves
 * the todo to `in_review`. As upstream, the recorded round is the current one minus 1 (the Koii
 * worker calls this from its submission for the previous round); `check-todo` is later asked
 * about that round. Upstream's response lost the bounty id (`.select("_id")`); it is returned.
 */
export function addRoundNumber(core: Core, body: unknown, now: number): LegacyResponse {
  const verified = verifyLegacyRequest(core, body, 'add-round-number', RoundPayloadSchema, now);
  if (!verified.ok) return verified.response;
  const { stakingKey, signature, payload } = verified.request;
  const round = roundAt(core.rounds, now) - 1;

  const swarmBountyId = atomically<string | null>(core, () => {
    if (!recordLegacyRequest(core, { key: replayKeyOf(signature), stakingKey, action: 'add-round-number' }, now)) {
      return { commit: false, value: null };
    }
    const held = findHeldTodo(core, stakingKey, payload.swarmBountyId);
    if (!held) return { commit: false, value: null };
    // The worker's own signed claim of this PR is the proof auditors check (see legacy-submissions).
    const evidence = { legacy: { action: 'add-round-number', signature, stakingKey } };
    const ok = bindRound(core, { todoId: held.todoId, stakingKey, round, prUrl: payload.prUrl, evidence }, now);
    return ok ? { commit: true, value: held.bountyId } : { commit: false, value: null };
  });

  return swarmBountyId === null
    ? failure(401, MESSAGES.roundFailed)
    : success({ message: MESSAGES.roundAdded, swarmBountyId });
}
