import { cachedStatement, literalLimit } from '../db/statements.js';
import type { Core } from '../core.js';

/** What a node runner asks of the coordinator: am I set up to work, and what have I been paid? */
export interface WorkerEarnings {
  stakingKey: string;
  registered: boolean;
  stake: number;
  minStake: number;
  /** Sum of the key's ledger entries: rewards minus slashes (base units). */
  balance: number;
  rewarded: number;
  /** Slashed in all, as a positive amount. */
  slashed: number;
  submissions: { pending: number; approved: number; rejected: number };
  audits: { assigned: number; voted: number; expired: number };
  /** The newest rounds that paid or slashed this key, newest first: what each one came to. */
  rounds: { round: number; amount: number; distributionCid: string | null }[];
}

export function workerEarnings(core: Pick<Core, 'sqlite' | 'auth'>, stakingKey: string, recentRounds: number): WorkerEarnings {
  const worker = cachedStatement(core.sqlite, 'SELECT stake FROM workers WHERE staking_key = ?').get(stakingKey) as { stake: number } | undefined;
  const totals = cachedStatement(
    core.sqlite,
    `SELECT coalesce(sum(amount), 0) AS balance,
            coalesce(sum(CASE WHEN amount > 0 THEN amount END), 0) AS rewarded,
            coalesce(-sum(CASE WHEN amount < 0 THEN amount END), 0) AS slashed
     FROM ledger WHERE staking_key = ?`,
  ).get(stakingKey) as { balance: number; rewarded: number; slashed: number };
  // With each round, the CID of its signed payout list (null until published), for `round verify`.
  const byRound = cachedStatement(
    core.sqlite,
    `SELECT l.round, sum(l.amount) AS amount, (SELECT distribution_cid FROM rounds WHERE number = l.round) AS distributionCid
     FROM ledger l WHERE l.staking_key = ? AND l.round IS NOT NULL
     GROUP BY l.round ORDER BY l.round DESC LIMIT ${literalLimit(recentRounds)}`,
  ).all(stakingKey) as { round: number; amount: number; distributionCid: string | null }[];
  const countBy = <K extends string>(sql: string, keys: readonly K[]): Record<K, number> => {
    const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    for (const row of cachedStatement(core.sqlite, sql).all(stakingKey) as { status: K; n: number }[]) counts[row.status] = row.n;
    return counts;
  };
  return {
    stakingKey,
    registered: worker !== undefined,
    stake: worker?.stake ?? 0,
    minStake: core.auth.minStake,
    ...totals,
    submissions: countBy('SELECT status, count(*) AS n FROM submissions WHERE staking_key = ? GROUP BY status', ['pending', 'approved', 'rejected'] as const),
    audits: countBy('SELECT status, count(*) AS n FROM audits WHERE auditor_key = ? GROUP BY status', ['assigned', 'voted', 'expired'] as const),
    rounds: byRound,
  };
}
