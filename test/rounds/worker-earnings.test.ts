import { describe, expect, it } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { castVote, claimAudits, roundTick } from '../../server/rounds/index.js';
import { workerEarnings } from '../../server/rounds/worker-earnings.js';
import { at, CID, setupRounds, spec, workAndSubmit } from '../helpers/rounds.js';

describe("a worker's earnings", () => {
  it('adds up rewards and slashes from the ledger, counts submissions and audits by outcome, and lists the paying rounds', async () => {
    const { core, keys } = setupRounds({ auditQuorum: 1, slashFraction: 0.1 });
    using _ = core;
    const [worker, ...others] = keys as [string, ...string[]];
    const minStake = core.auth.minStake;
    expect(workerEarnings(core, worker, 10)).toEqual({
      stakingKey: worker,
      registered: true,
      stake: minStake,
      minStake,
      balance: 0,
      rewarded: 0,
      slashed: 0,
      submissions: { pending: 0, approved: 0, rejected: 0 },
      audits: { assigned: 0, voted: 0, expired: 0 },
      rounds: [],
    });

    // Round 4: two submissions by the worker; round 5: one approved, one rejected by the auditor.
    for (let i = 0; i < 2; i++) createTodo(core, { spec, priority: 0 }, at(4, 0));
    const good = workAndSubmit(core, worker, 4, CID(1));
    workAndSubmit(core, worker, 4, CID(2));
    await roundTick(core, at(5));
    expect(workerEarnings(core, worker, 10).submissions).toEqual({ pending: 2, approved: 0, rejected: 0 });
    // Each submission gets one auditor among the other three.
    const assigned = others.map((key) => ({ key, tasks: claimAudits(core, key, 10, at(5, 5)) }));
    expect(assigned.flatMap((a) => a.tasks)).toHaveLength(2);
    for (const { key, tasks } of assigned) expect(workerEarnings(core, key, 10).audits).toEqual({ assigned: tasks.length, voted: 0, expired: 0 });
    for (const { key, tasks } of assigned) {
      for (const task of tasks) {
        const vote = task.submission.submissionCid === good.submission_cid ? 'approve' : 'reject';
        castVote(core, key, { auditId: task.auditId, vote, reason: vote }, {}, at(5, 6));
      }
    }
    for (const round of [6, 7]) await roundTick(core, at(round));

    const earned = workerEarnings(core, worker, 10);
    expect(earned.submissions).toEqual({ pending: 0, approved: 1, rejected: 1 });
    expect(earned.rewarded).toBeGreaterThan(0);
    expect(earned.slashed).toBe(Math.floor(minStake * 0.1));
    expect(earned.balance).toBe(earned.rewarded - earned.slashed);
    // The slash came out of the stake, which is now below the minimum.
    expect(earned.stake).toBe(minStake - earned.slashed);
    // Every ledger entry of the key is in one round here: the round that tallied them.
    // With the CID of that round's signed payout list, for the runner to verify it.
    const paying = earned.rounds[0]!.round;
    const { distribution_cid } = core.sqlite.prepare('SELECT distribution_cid FROM rounds WHERE number = ?').get(paying) as { distribution_cid: string };
    expect(distribution_cid).toMatch(/^baf/);
    expect(earned.rounds).toEqual([{ round: paying, amount: earned.balance, distributionCid: distribution_cid }]);
    for (const { key, tasks } of assigned) {
      expect(workerEarnings(core, key, 10)).toMatchObject({ audits: { assigned: 0, voted: tasks.length, expired: 0 }, submissions: { approved: 0 } });
    }
    expect(workerEarnings(core, `Z${'1'.repeat(43)}`, 10)).toMatchObject({ registered: false, stake: 0, balance: 0 });
  });

  it('lists only the newest paying rounds, newest first', () => {
    const { core, keys } = setupRounds();
    using _ = core;
    const insert = core.sqlite.prepare("INSERT INTO ledger (staking_key, round, kind, amount, created_at) VALUES (?, ?, 'reward', ?, 0)");
    for (const round of [3, 9, 5, 12, 7]) insert.run(keys[0], round, round * 100);
    insert.run(keys[0], 12, 5); // two entries in one round add up
    expect(workerEarnings(core, keys[0]!, 3).rounds).toEqual([
      { round: 12, amount: 1205, distributionCid: null },
      { round: 9, amount: 900, distributionCid: null },
      { round: 7, amount: 700, distributionCid: null },
    ]);
    expect(workerEarnings(core, keys[0]!, 3).balance).toBe(3605);
  });
});
