import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { roundAt, roundEndsAt, roundStartsAt } from './round-clock.js';

export interface RoundDetail {
  number: number;
  startsAt: number;
  endsAt: number;
  status: 'open' | 'auditing' | 'tallied' | 'future';
  distributionCid: string | null;
  distributionSignature: string | null;
  submissions: {
    id: number;
    todoId: number;
    stakingKey: string;
    submissionCid: string;
    prUrl: string | null;
    status: string;
    approvals: number;
    rejections: number;
    votes: { auditorKey: string; status: string; vote: string | null; reason: string | null; votedAt: number | null }[];
  }[];
  distribution: Record<string, number>;
  /**
   * What this round's tally paid, per submission. Usually the round's own submissions; one decided
   * late (its audits were still open, e.g. after an outage) is paid by the round that decided it.
   */
  payouts: { submissionId: number; todoId: number; submissionRound: number; stakingKey: string; amount: number }[];
}

export function currentRound(core: Core, now = Date.now()) {
  const number = roundAt(core.rounds, now);
  return { number, startsAt: roundStartsAt(core.rounds, number), endsAt: roundEndsAt(core.rounds, number), roundMs: core.rounds.roundMs, now };
}

/**
 * The round an operator asking "how did the last round go" means: the newest tallied round that
 * had submissions, else the newest tallied one. Read from the store, not the clock: the CLI on a
 * data dir does not know the round length the coordinator runs with (15 s under `up`, 10 min
 * under `server`).
 * @throws DomainError ROUND_NOT_FOUND while no round has been tallied.
 */
export function lastTalliedRound(core: Pick<Core, 'sqlite'>): number {
  // Both walk rounds newest first; an idle stretch costs one index probe per empty round.
  const withWork = cachedStatement(
    core.sqlite,
    `SELECT number FROM rounds r WHERE status = 'tallied' AND EXISTS (SELECT 1 FROM submissions s WHERE s.round = r.number)
     ORDER BY number DESC LIMIT 1`,
  ).get() as { number: number } | undefined;
  const row = withWork ?? (cachedStatement(core.sqlite, "SELECT number FROM rounds WHERE status = 'tallied' ORDER BY number DESC LIMIT 1").get() as { number: number } | undefined);
  if (!row) throw new DomainError('ROUND_NOT_FOUND', 'no round has been tallied yet: work is audited in the round after its own and paid when that one ends');
  return row.number;
}

export function roundDetail(core: Core, number: number, now = Date.now()): RoundDetail {
  const row = cachedStatement(core.sqlite, 'SELECT * FROM rounds WHERE number = ?').get(number) as
    | { number: number; starts_at: number; ends_at: number; status: 'open' | 'auditing' | 'tallied'; distribution_cid: string | null; distribution_signature: string | null }
    | undefined;
  const current = roundAt(core.rounds, now);
  if (!row && number > current) throw new DomainError('ROUND_NOT_FOUND', `round ${number} has not started (current round is ${current})`);
  const submissions = cachedStatement(core.sqlite, 'SELECT * FROM submissions WHERE round = ? ORDER BY id').all(number) as {
    id: number;
    todo_id: number;
    staking_key: string;
    submission_cid: string;
    pr_url: string | null;
    status: string;
    approvals: number;
    rejections: number;
  }[];
  const votesOf = cachedStatement(
    core.sqlite,
    'SELECT auditor_key, status, vote, reason, voted_at FROM audits WHERE submission_id = ? ORDER BY id',
  );
  const payouts = cachedStatement(core.sqlite, 'SELECT staking_key, amount FROM payouts WHERE round = ? ORDER BY staking_key').all(number) as {
    staking_key: string;
    amount: number;
  }[];
  const status = row?.status === 'tallied' ? 'tallied' : number < current ? 'auditing' : 'open';
  return {
    number,
    startsAt: row?.starts_at ?? roundStartsAt(core.rounds, number),
    endsAt: row?.ends_at ?? roundEndsAt(core.rounds, number),
    status,
    distributionCid: row?.distribution_cid ?? null,
    distributionSignature: row?.distribution_signature ?? null,
    submissions: submissions.map((s) => ({
      id: s.id,
      todoId: s.todo_id,
      stakingKey: s.staking_key,
      submissionCid: s.submission_cid,
      prUrl: s.pr_url,
      status: s.status,
      approvals: s.approvals,
      rejections: s.rejections,
      votes: (votesOf.all(s.id) as { auditor_key: string; status: string; vote: string | null; reason: string | null; voted_at: number | null }[]).map((v) => ({
        auditorKey: v.auditor_key,
        status: v.status,
        vote: v.vote,
        reason: v.reason,
        votedAt: v.voted_at,
      })),
    })),
    distribution: Object.fromEntries(payouts.map((p) => [p.staking_key, p.amount])),
    payouts: (
      cachedStatement(
        core.sqlite,
        `SELECT l.submission_id, s.todo_id, s.round, l.staking_key, l.amount FROM ledger l JOIN submissions s ON s.id = l.submission_id
         WHERE l.round = ? AND l.kind = 'reward' ORDER BY l.submission_id`,
      ).all(number) as { submission_id: number; todo_id: number; round: number; staking_key: string; amount: number }[]
    ).map((p) => ({ submissionId: p.submission_id, todoId: p.todo_id, submissionRound: p.round, stakingKey: p.staking_key, amount: p.amount })),
  };
}

/** Balances from the ledger (rewards minus slashes), per staking key. */
export function balances(core: Pick<Core, 'sqlite'>, stakingKey?: string): { stakingKey: string; balance: number }[] {
  const rows = cachedStatement(
    core.sqlite,
    `SELECT staking_key, sum(amount) AS balance FROM ledger WHERE (@key IS NULL OR staking_key = @key) GROUP BY staking_key ORDER BY staking_key`,
  ).all({ key: stakingKey ?? null }) as { staking_key: string; balance: number }[];
  return rows.map((r) => ({ stakingKey: r.staking_key, balance: r.balance }));
}
