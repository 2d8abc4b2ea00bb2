import { describe, expect, it, vi } from 'vitest';
import { createWorkerRpc } from '../../client/worker/rpc.js';
import { encodeSignedSubmission, sha256Hex, signSubmissionRecord } from '../../client/worker/submission-record.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { balances } from '../../server/rounds/index.js';
import { createProviderRegistry, runSwarm } from '../../server/swarms/index.js';
import { cidForBytes } from '../../shared/cid.js';
import type { SubmissionRecord } from '../../shared/submission-schemas.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

const utf8 = new TextEncoder();

describe('a dishonest submitter against three honest workers', () => {
  it('is voted down for a tampered output, a forged signature, a CID naming nothing, and a todo it never held; it is not paid', async () => {
    // Mallory is staked but audits nothing: her audit slots expire quickly and the honest votes decide.
    // An honest auditor gets the time to the deadline less 1 s: 4 s leaves it 3 s on a loaded machine.
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100, auditTimeoutMs: 4000 });
    const core = t.coordinator.core;
    const mallory = t.stakedWorker();
    const client = t.workerClient(mallory);
    const rpc = createWorkerRpc(client, 5000);
    const providers = createProviderRegistry({ env: {}, modelMap: '*=offline' });

    const cheated = ['ConcurrentWorkflow', 'SequentialWorkflow', 'GroupChat'] as const;
    const cheatedIds = cheated.map((type) => createTodo(core, { spec: specFor(type), priority: 0 }).todo.id);
    const claimed = await rpc.call('todos.claim', { max: 3 });
    expect(claimed.map((c) => c.todoId).sort()).toEqual([...cheatedIds].sort());
    const honestId = createTodo(core, { spec: specFor('MixtureOfAgents'), priority: 0 }).todo.id;
    const round = (await rpc.currentRound()).number;

    const proofFor = async (todoId: number, spec = getTodo(core, todoId).spec) => {
      const result = await runSwarm(spec, { providers });
      const outputBytes = utf8.encode(JSON.stringify(result));
      const record: SubmissionRecord = {
        taskId: 'test-task',
        todoId,
        round,
        stakingKey: mallory.publicKeyBase58,
        resultCid: await cidForBytes(outputBytes),
        outputSha256: sha256Hex(outputBytes),
      };
      return { result, outputBytes, record };
    };
    const cids: Record<string, string> = {};

    // 1. Output tampered with after signing: the record signs the honest digest, the stored output differs.
    {
      const todo = claimed.find((c) => c.todoId === cheatedIds[0])!;
      const { result, outputBytes, record } = await proofFor(todo.todoId);
      await rpc.storeBytes(outputBytes);
      const tampered = utf8.encode(JSON.stringify({ ...result, final: 'Buy everything, now.' }));
      const signed = signSubmissionRecord({ ...record, resultCid: await rpc.storeBytes(tampered) }, mallory);
      cids.tampered = await rpc.storeBytes(encodeSignedSubmission(signed));
    }
    // 2. Forged signature: the record is changed after signing (a bigger usage claim).
    {
      const { outputBytes, record } = await proofFor(cheatedIds[1]!);
      await rpc.storeBytes(outputBytes);
      const signed = signSubmissionRecord(record, mallory);
      const forged = { record: { ...signed.record, usage: { inputTokens: 1e6, outputTokens: 1e6 } }, signature: signed.signature };
      cids.forged = await rpc.storeBytes(utf8.encode(JSON.stringify(forged)));
    }
    // 3. A submission CID that names nothing the network has.
    {
      const { outputBytes, record } = await proofFor(cheatedIds[2]!);
      await rpc.storeBytes(outputBytes);
      cids.missing = await cidForBytes(encodeSignedSubmission(signSubmissionRecord(record, mallory)));
    }
    // Mallory reports the three todos done, then submits the three proofs.
    const results = claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: { note: 'trust me' } }));
    expect((await rpc.call('todos.reportResults', { results })).every((o) => o.ok)).toBe(true);
    const order = [cids.tampered!, cids.forged!, cids.missing!];
    for (const [i, submissionCid] of order.entries()) {
      await rpc.call('submissions.submit', { todoId: cheatedIds[i]!, round, submissionCid });
    }
    // 4. A well-formed, properly signed proof for a todo Mallory never held.
    {
      const { outputBytes, record } = await proofFor(honestId);
      await rpc.storeBytes(outputBytes);
      cids.neverHeld = await rpc.storeBytes(encodeSignedSubmission(signSubmissionRecord(record, mallory)));
      await rpc.call('submissions.submit', { todoId: honestId, round, submissionCid: cids.neverHeld });
    }

    await using workers = testWorkers(t);
    for (let i = 0; i < 3; i++) await workers.add({ taskId: 'test-task' });

    const malloryRows = () =>
      core.sqlite.prepare('SELECT id, submission_cid, status FROM submissions WHERE staking_key = ? ORDER BY id').all(mallory.publicKeyBase58) as {
        id: number;
        submission_cid: string;
        status: string;
      }[];
    await vi.waitFor(
      () => {
        expect(malloryRows().map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
        for (const id of [...cheatedIds, honestId]) expect(getTodo(core, id).status, `todo ${id}`).toBe('done');
      },
      { timeout: 50_000, interval: 100 },
    );

    const reasonsFor = (cid: string) => {
      const row = malloryRows().find((r) => r.submission_cid === cid)!;
      return core.sqlite.prepare(`SELECT vote, reason FROM audits WHERE submission_id = ? AND status = 'voted'`).all(row.id) as { vote: string; reason: string }[];
    };
    const expectations: [string, RegExp][] = [
      [cids.tampered!, /^output sha256 is [0-9a-f]{64}, the signed record says [0-9a-f]{64}$/],
      [cids.forged!, /^signature does not verify for /],
      [cids.missing!, /^audit could not be completed: /],
      [cids.neverHeld!, /^todo \d+ was never completed by /],
    ];
    for (const [cid, reason] of expectations) {
      const votes = reasonsFor(cid);
      expect(votes.length).toBeGreaterThanOrEqual(1);
      for (const vote of votes) {
        expect(vote.vote).toBe('reject');
        expect(vote.reason).toMatch(reason);
      }
    }

    // The cheated todos went back to the queue and were done honestly; nobody paid Mallory.
    const doneBy = core.sqlite
      .prepare(`SELECT DISTINCT staking_key FROM submissions WHERE status = 'approved' AND todo_id IN (${[...cheatedIds, honestId].join(',')})`)
      .all() as { staking_key: string }[];
    const honestKeys = new Set(workers.list.map((w) => w.keypair.publicKeyBase58));
    expect(doneBy.length).toBeGreaterThan(0);
    for (const { staking_key } of doneBy) expect(honestKeys.has(staking_key)).toBe(true);
    const payouts = core.sqlite.prepare('SELECT staking_key FROM payouts').all() as { staking_key: string }[];
    expect(payouts.map((p) => p.staking_key)).not.toContain(mallory.publicKeyBase58);
    expect(balances(core, mallory.publicKeyBase58)).toEqual([]);
  });
});
