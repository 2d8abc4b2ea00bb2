import { z } from 'zod';
import type { Core } from '../../core.js';
import { assignmentExists } from '../../queue/find-by-bounty.js';
import { failure, MESSAGES, success, type LegacyResponse } from './responses.js';
import { carriesSignature, GithubUsernameSchema, PrUrlSchema, SignedBodySchema, stakeProblem, verifySignature } from './verify.js';

/** Upstream (unsigned) body: `{stakingKey, roundNumber, githubUsername, prUrl}`, stakingKey = the submitter. */
const UnsignedBodySchema = z.looseObject({
  stakingKey: z.string().min(1),
  roundNumber: z.unknown(),
  githubUsername: GithubUsernameSchema,
  prUrl: PrUrlSchema,
});

/**
 * Signed form (not upstream): body `{signature, stakingKey}` like every other endpoint, the
 * stakingKey being the signer's; the payload `{taskId, action: "check-todo", stakingKey,
 * submitterKey?, roundNumber, githubUsername, prUrl}` names the submitter (default: the signer).
 */
const SignedPayloadSchema = z.looseObject({
  submitterKey: z.string().min(1).optional(),
  roundNumber: z.unknown(),
  githubUsername: GithubUsernameSchema,
  prUrl: PrUrlSchema,
});

/** `Number(roundNumber)` as upstream, restricted to integers; anything else matches no round. */
function roundOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/**
 * `POST /summarizer/worker/check-todo`: did this key really hold a todo, report this PR and get
 * it bound to this round? Auditors ask it before voting.
 *
 * Authentication choice: Koii auditors send it unsigned, so the unsigned upstream body is still
 * accepted — it is a read that changes no state and reveals only whether a (key, PR, round) triple
 * the caller already knows exists. When a `signature` is present it must verify (task id, action,
 * signer = body stakingKey, staked signer), and then only the signed fields are used; a bad
 * signature is never downgraded to the unsigned form. Either way check-todo never changes state,
 * so no replay key is stored. Upstream ignored `githubUsername`; it is checked against the claim.
 */
export function checkTodo(core: Core, body: unknown, now: number): LegacyResponse {
  let query: { stakingKey: string; roundNumber: unknown; githubUsername: string; prUrl: string };
  if (carriesSignature(body)) {
    const parsed = SignedBodySchema.safeParse(body);
    if (!parsed.success) return failure(401, MESSAGES.invalidBody);
    const verified = verifySignature(core, parsed.data, 'check-todo', SignedPayloadSchema, now);
    if (!verified.ok) return verified.response;
    const problem = stakeProblem(core, verified.request.stakingKey);
    if (problem) return problem;
    const { payload, stakingKey } = verified.request;
    query = { ...payload, stakingKey: payload.submitterKey ?? stakingKey };
  } else {
    const parsed = UnsignedBodySchema.safeParse(body);
    if (!parsed.success) return failure(401, MESSAGES.invalidBody);
    query = parsed.data;
  }

  const round = roundOf(query.roundNumber);
  const found =
    round !== null &&
    assignmentExists(core, { stakingKey: query.stakingKey, prUrl: query.prUrl, round, githubUsername: query.githubUsername });
  return found ? success({ message: MESSAGES.assignmentVerified }) : failure(409, MESSAGES.noAssignment);
}
