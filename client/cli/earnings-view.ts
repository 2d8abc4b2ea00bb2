import type { WorkerEarnings } from '../../server/rounds/worker-earnings.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import { labelled } from './output.js';

/** `swarmtask earnings` for a node runner: can I work, what did I earn, where did it come from. */
export function describeEarnings(e: WorkerEarnings): string {
  return labelled(earningsLines(e));
}

/** The label/value lines of an earnings view (also part of `workers KEY`). */
export function earningsLines(e: WorkerEarnings): Array<[string, string]> {
  const standing = !e.registered
    ? `not registered with this coordinator (swarmtask register --key …)`
    : e.stake >= e.minStake
      ? `${formatSwarms(e.stake)}, meets the minimum of ${formatSwarms(e.minStake)}`
      : `${formatSwarms(e.stake)}, below the minimum of ${formatSwarms(e.minStake)}: no new work or audits until the operator stakes it`;
  const s = e.submissions;
  const a = e.audits;
  return [
    ['staking key', e.stakingKey],
    ['stake', standing],
    ['balance', `${formatSwarms(e.balance)} (${formatSwarms(e.rewarded)} rewarded, ${formatSwarms(e.slashed)} slashed)`],
    ['submissions', `${s.approved} approved, ${s.rejected} rejected, ${s.pending} awaiting audit`],
    ['audits', `${a.voted} voted, ${a.assigned} assigned, ${a.expired} expired unvoted`],
    ['recent rounds', e.rounds.length > 0 ? e.rounds.map((r) => `${r.round}: ${formatSwarms(r.amount)}`).join(', ') : 'none has paid this key yet'],
    ...verifyHint(e),
  ];
}

/** How to check the newest payout list yourself, once one is published. */
function verifyHint(e: WorkerEarnings): Array<[string, string]> {
  const newest = e.rounds.find((r) => r.distributionCid !== null);
  return newest ? [['verify it', `swarmtask round verify ${newest.distributionCid} (round ${newest.round}'s signed payout list)`]] : [];
}
