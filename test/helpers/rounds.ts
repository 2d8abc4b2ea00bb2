import { setStake } from '../../server/auth/workers.js';
import { claimTodos, reportResults } from '../../server/queue/index.js';
import { submitWork } from '../../server/rounds/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { openTestCore } from './core.js';

/** Rounds of 10 s from the epoch, so round numbers stay small and times exact. */
export const ROUND = 10_000;
export const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
/** A time `offset` ms into round `round`. */
export const at = (round: number, offset = 1) => round * ROUND + offset;
/** A well-formed CID, distinct per n (0..7). */
export const CID = (n: number) => `bafkrei${'abcdefgh'[n]!.repeat(52)}`;

/** A core with 10-second rounds and four staked workers A…D. */
export function setupRounds(overrides = {}) {
  const core = openTestCore({ roundMs: ROUND, auditQuorum: 3, auditTimeoutMs: 5_000, ...overrides });
  const keys = ['A', 'B', 'C', 'D'].map((n) => `${n}${'1'.repeat(43)}`);
  for (const key of keys) setStake(core, key, core.auth.minStake);
  return { core, keys };
}

/** Worker `key` claims a todo in round `round`, reports, and submits. */
export function workAndSubmit(core: ReturnType<typeof setupRounds>['core'], key: string, round: number, cid: string) {
  const [claimed] = claimTodos(core, { stakingKey: key, max: 1 }, at(round));
  reportResults(core, { stakingKey: key }, [{ todoId: claimed!.todoId, leaseToken: claimed!.leaseToken, result: { cid } }], at(round, 2));
  return submitWork(core, key, { todoId: claimed!.todoId, round, submissionCid: cid }, at(round, 3));
}
