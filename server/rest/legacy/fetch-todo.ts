import { z } from 'zod';
import type { Core } from '../../core.js';
import { claimTodos } from '../../queue/claim-todos.js';
import { bountyIdOf, countClaimsBy, findOpenTodoOfHolder } from '../../queue/find-by-bounty.js';
import { getTodo } from '../../queue/get-todo.js';
import { sweepQueue } from '../../queue/sweep-queue.js';
import { atomically, recordLegacyRequest, replayKeyOf } from './replay-guard.js';
import { failure, MESSAGES, success, type LegacyResponse } from './responses.js';
import { GithubUsernameSchema, verifyLegacyRequest } from './verify.js';

/** Signed payload: `{taskId, action: "fetch-todo", githubUsername, stakingKey}`. */
const FetchTodoPayloadSchema = z.looseObject({ githubUsername: GithubUsernameSchema });

/** Koii's task container times out after 900 s; leave room for the PR calls after it. */
const LEGACY_MIN_LEASE_MS = 20 * 60_000;

export function legacyLeaseMs(core: Core): number {
  return Math.max(core.queue.leaseMs, core.rounds.roundMs, LEGACY_MIN_LEASE_MS);
}

type Outcome = { kind: 'assigned'; todoId: number } | { kind: 'completed' } | { kind: 'none' };

/**
 * `POST /summarizer/worker/fetch-todo`. Upstream rules (§1.4) on top of the queue's own claim:
 * a key that still holds a todo in progress gets that same todo again (no state change); a key
 * whose todo awaits review gets 401 "Task already completed"; otherwise one todo is claimed with
 * the normal lease (never the same key or GitHub user twice, attempts counted).
 *
 * Replays: the Koii worker signs `{taskId, action, githubUsername, stakingKey}`, which never
 * varies, and Ed25519 is deterministic, so its every fetch is byte-identical to a replay of its
 * first. The replay key is therefore scoped to the key's claim count: one signature claims at most
 * once per claim the key has made, and while the key holds work nothing is claimed at all. A
 * payload with a `timestamp` (inside the signature window) is strictly one-shot instead.
 *
 * 200 `{success, role: "worker", data: {id, repo_owner, repo_name, swarm}}`: `id` is the
 * swarmBountyId later calls name; `swarm` (not upstream) is the todo's SwarmSpec, added inside
 * `data` next to the fields Koii workers read, which they ignore. A todo without a repository has
 * `repo_owner`/`repo_name` null (upstream's todos always had one).
 */
export function fetchTodo(core: Core, body: unknown, now: number): LegacyResponse {
  const verified = verifyLegacyRequest(core, body, 'fetch-todo', FetchTodoPayloadSchema, now);
  if (!verified.ok) return verified.response;
  const { stakingKey, signature, payload, timestamped } = verified.request;

  // Upstream reclaimed timed-out work at fetch time; the sweep does that (and runs every second anyway).
  sweepQueue(core, now);
  const outcome = atomically<Outcome>(core, () => {
    const open = findOpenTodoOfHolder(core, stakingKey);
    if (open) {
      return { commit: false, value: open.status === 'in_progress' ? { kind: 'assigned', todoId: open.todoId } : { kind: 'completed' } };
    }
    const key = timestamped ? replayKeyOf(signature) : replayKeyOf(signature, `claim:${countClaimsBy(core, stakingKey)}`);
    if (!recordLegacyRequest(core, { key, stakingKey, action: 'fetch-todo' }, now)) return { commit: false, value: { kind: 'none' } };
    // Koii workers call nothing between fetch-todo and add-todo-pr (their container may run 15
    // min), so their lease spans a round, as upstream's timeout did, not the heartbeat lease.
    const [claimed] = claimTodos(core, { stakingKey, githubUsername: payload.githubUsername, max: 1, leaseMs: legacyLeaseMs(core) }, now);
    return claimed ? { commit: true, value: { kind: 'assigned', todoId: claimed.todoId } } : { commit: false, value: { kind: 'none' } };
  });

  switch (outcome.kind) {
    case 'completed':
      return failure(401, MESSAGES.taskAlreadyCompleted);
    case 'none':
      return failure(409, MESSAGES.noTodos);
    case 'assigned': {
      const todo = getTodo(core, outcome.todoId);
      return success({
        role: 'worker',
        data: { id: bountyIdOf(todo), repo_owner: todo.repo?.owner ?? null, repo_name: todo.repo?.name ?? null, swarm: todo.spec },
      });
    }
  }
}
