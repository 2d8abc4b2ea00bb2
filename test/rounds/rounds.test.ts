import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/canonical-json.js';
import { verifyDetached, publicKeyFromBase58 } from '../../shared/ed25519.js';
import { claimTodos, createTodo, getTodo } from '../../server/queue/index.js';
import { balances, castVote, claimAudits, lastTalliedRound, roundDetail, roundTick, type SignedDistribution } from '../../server/rounds/index.js';
import { at, CID, setupRounds, spec, workAndSubmit } from '../helpers/rounds.js';

describe('rounds, audits and payouts', () => {
  it('audits in round r+1, tallies after it, pays approved work, and publishes a signed list', async () => {
    const { core, keys } = setupRounds();
    using _ = core;
    const [a, b, c, d] = keys as [string, string, string, string];
    const { todo } = createTodo(core, { spec, priority: 0, reward: 400 }, at(5, 0));
    const submission = workAndSubmit(core, a, 5, CID(1));
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'in_review' });

    await roundTick(core, at(5, 500)); // still round 5: no audits yet
    expect(claimAudits(core, b, 10, at(5, 501))).toEqual([]);

    await roundTick(core, at(6)); // round 6 audits round 5
    const auditors = [b, c, d].filter((k) => claimAudits(core, k, 10, at(6, 2)).length === 1);
    expect(auditors).toEqual([b, c, d]); // quorum 3, never the submitter
    expect(claimAudits(core, a, 10, at(6, 2))).toEqual([]);
    const [task] = claimAudits(core, b, 10, at(6, 2));
    expect(task).toMatchObject({ submission: { id: submission.id, stakingKey: a, submissionCid: CID(1) }, assignment: { stakingKey: a } });

    castVote(core, b, { auditId: task!.auditId, vote: 'approve', reason: 'ok' }, { signed: 1 }, at(6, 3));
    castVote(core, c, { auditId: claimAudits(core, c, 1, at(6, 3))[0]!.auditId, vote: 'approve', reason: 'ok' }, {}, at(6, 4));
    castVote(core, d, { auditId: claimAudits(core, d, 1, at(6, 4))[0]!.auditId, vote: 'reject', reason: 'meh' }, {}, at(6, 5));
    expect(() => castVote(core, d, { auditId: task!.auditId, vote: 'reject', reason: 'not mine' }, {}, at(6, 6))).toThrow(/not assigned/);

    const tick = await roundTick(core, at(7));
    expect(tick.tallied.map((t) => t.round)).toEqual([5]);
    expect(getTodo(core, todo.id).status).toBe('done');
    const detail = roundDetail(core, 5, at(7, 10));
    expect(detail.distribution).toEqual({ [a]: 400 });
    expect(detail.submissions[0]).toMatchObject({ status: 'approved', approvals: 2, rejections: 1 });
    expect(detail.submissions[0]!.votes.map((v) => v.vote).sort()).toEqual(['approve', 'approve', 'reject']);
    expect(balances(core)).toEqual([{ stakingKey: a, balance: 400 }]);

    const published = JSON.parse(new TextDecoder().decode(await core.ipfs.cat(detail.distributionCid!))) as SignedDistribution;
    expect(published.list).toMatchObject({ round: 5, distribution: { [a]: 400 }, total: 400 });
    const ok = verifyDetached(
      new TextEncoder().encode(canonicalJson(published.list)),
      bs58.decode(published.signature),
      publicKeyFromBase58(published.coordinatorKey),
    );
    expect(ok).toBe(true);
    expect(published.coordinatorKey).toBe(core.coordinatorKey.publicKeyBase58);
  });

  it('"the last round" is the newest tallied round with submissions, else the newest tallied one', async () => {
    const { core, keys } = setupRounds({ auditQuorum: 1 });
    using _ = core;
    const [a, b] = keys as [string, string, string, string];
    expect(() => lastTalliedRound(core)).toThrow(expect.objectContaining({ reason: 'ROUND_NOT_FOUND' }));
    for (const round of [1, 2, 3]) await roundTick(core, at(round));
    expect(lastTalliedRound(core)).toBe(1); // only empty rounds so far: the newest tallied

    createTodo(core, { spec, priority: 0 }, at(4, 0));
    workAndSubmit(core, a, 4, CID(3));
    await roundTick(core, at(5));
    for (const task of claimAudits(core, b, 10, at(5, 5))) castVote(core, b, { auditId: task.auditId, vote: 'approve', reason: 'ok' }, {}, at(5, 6));
    for (const round of [6, 7, 8]) await roundTick(core, at(round));
    expect(roundDetail(core, 6, at(8, 1)).status).toBe('tallied'); // newer, tallied, empty
    expect(lastTalliedRound(core)).toBe(4);
    expect(roundDetail(core, lastTalliedRound(core), at(8, 1)).distribution).toEqual({ [a]: 400_000_000_000 });
  });

  it('a rejected submission earns nothing and its todo goes back to the queue for someone else', async () => {
    const { core, keys } = setupRounds({ auditQuorum: 2 });
    using _ = core;
    const [a, b, c] = keys as [string, string, string, string];
    const { todo } = createTodo(core, { spec, priority: 0 }, at(1, 0));
    workAndSubmit(core, a, 1, CID(2));
    await roundTick(core, at(2));
    for (const key of [b, c]) {
      for (const task of claimAudits(core, key, 10, at(2, 5))) castVote(core, key, { auditId: task.auditId, vote: 'reject', reason: 'output tampered' }, {}, at(2, 6));
    }
    await roundTick(core, at(3));
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'initialized', lastError: 'audit rejected' });
    // Announced again with what workers decide on, like any todo back in the queue.
    const offer = core.sqlite.prepare(`SELECT data FROM events WHERE type = 'todo.available' AND todo_id = ? ORDER BY id DESC LIMIT 1`).get(todo.id) as { data: string };
    expect(JSON.parse(offer.data)).toEqual({ todoId: todo.id, priority: 0, reward: todo.reward, swarmType: spec.swarm_type ?? null, reason: 'audit rejected' });
    expect(roundDetail(core, 1, at(3, 1)).distribution).toEqual({});
    expect(balances(core)).toEqual([]);
    expect(claimTodos(core, { stakingKey: a, max: 1 }, at(3, 2))).toEqual([]); // never the same key twice
    expect(claimTodos(core, { stakingKey: b, max: 1 }, at(3, 2)).map((t) => t.todoId)).toEqual([todo.id]);
  });

  it('an audit not cast in time is reassigned to another worker', async () => {
    const { core, keys } = setupRounds({ auditQuorum: 1 });
    using _ = core;
    const [a] = keys as [string];
    createTodo(core, { spec, priority: 0 }, at(1, 0));
    workAndSubmit(core, a, 1, CID(3));
    await roundTick(core, at(2));
    const first = keys.filter((k) => claimAudits(core, k, 1, at(2, 1)).length > 0);
    expect(first).toHaveLength(1);
    await roundTick(core, at(2, 6_000)); // past the 5 s audit timeout
    const second = keys.filter((k) => claimAudits(core, k, 1, at(2, 6_001)).length > 0);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]).not.toBe(a);
  });

  it('caps a round at its bounty, in integer base units', async () => {
    const { core, keys } = setupRounds({ auditQuorum: 1, roundBountyCap: 1000 });
    using _ = core;
    const [a, b] = keys as [string, string];
    createTodo(core, { spec, priority: 0, reward: 900 }, at(1, 0));
    createTodo(core, { spec, priority: 0, reward: 600 }, at(1, 0));
    workAndSubmit(core, a, 1, CID(4));
    workAndSubmit(core, b, 1, CID(5));
    await roundTick(core, at(2));
    for (const key of keys) for (const t of claimAudits(core, key, 10, at(2, 1))) castVote(core, key, { auditId: t.auditId, vote: 'approve', reason: 'ok' }, {}, at(2, 2));
    await roundTick(core, at(3));
    const { distribution } = roundDetail(core, 1, at(3, 1));
    expect(distribution).toEqual({ [a]: 600, [b]: 400 });
    expect(Object.values(distribution).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(1000);
  });
});
