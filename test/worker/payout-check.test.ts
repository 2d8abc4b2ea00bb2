import { describe, expect, it } from 'vitest';
import { createWorkerRpc } from '../../client/worker/rpc.js';
import { describeWorkerEvent, type WorkerEvent } from '../../client/worker/events.js';
import { PayoutChecker } from '../../client/worker/payout-check.js';
import type { Core } from '../../server/core.js';
import { buildDistribution, publishPendingDistributions } from '../../server/rounds/publish-distribution.js';
import { generateKeypair } from '../../shared/keypair.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const REWARD = 400_000_000_000;

/** Round `round` tallied, paying `key` (and one other key): ledger entry, payouts, and its list as the coordinator publishes it. */
async function paidRound(core: Core, round: number, key: string): Promise<string> {
  core.sqlite.prepare("INSERT INTO rounds (number, starts_at, ends_at, status, tallied_at) VALUES (?, 0, 1, 'tallied', 2)").run(round);
  const payout = core.sqlite.prepare('INSERT INTO payouts (round, staking_key, amount) VALUES (?, ?, ?)');
  payout.run(round, key, REWARD);
  payout.run(round, generateKeypair().publicKeyBase58, REWARD);
  core.sqlite.prepare("INSERT INTO ledger (staking_key, round, kind, amount, created_at) VALUES (?, ?, 'reward', ?, 0)").run(key, round, REWARD);
  await publishPendingDistributions(core);
  return (core.sqlite.prepare('SELECT distribution_cid AS cid FROM rounds WHERE number = ?').get(round) as { cid: string }).cid;
}

/** A round whose recorded list is `document` (stored as is): what a dishonest or broken coordinator could publish. */
async function roundWithList(core: Core, round: number, key: string, document: unknown): Promise<string> {
  const cid = await core.ipfs.add(new TextEncoder().encode(JSON.stringify(document)));
  core.sqlite.prepare("INSERT INTO rounds (number, starts_at, ends_at, status, tallied_at, distribution_cid) VALUES (?, 0, 1, 'tallied', 2, ?)").run(round, cid);
  core.sqlite.prepare("INSERT INTO ledger (staking_key, round, kind, amount, created_at) VALUES (?, ?, 'reward', ?, 0)").run(key, round, REWARD);
  return cid;
}

describe("a worker checks the payout lists that pay it", () => {
  it('verifies each list once, and says loudly when one is tampered with or belongs to another round', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const keypair = t.stakedWorker();
    const key = keypair.publicKeyBase58;
    const rpc = createWorkerRpc(t.workerClient(keypair), 5000);
    const events: WorkerEvent[] = [];
    const checker = new PayoutChecker({ rpc, gatewayUrl: t.url, emit: (event) => events.push(event) });

    const good = await paidRound(core, 7, key);
    await checker.check();
    expect(events).toEqual([{ type: 'payout_verified', round: 7, cid: good, amount: REWARD }]);
    expect(describeWorkerEvent(events[0]!)).toBe('round 7 payout list verified (signed by the coordinator, CID checked): it pays this key 400 SWARMS');
    await checker.check();
    expect(events).toHaveLength(1); // checked once

    // The amounts changed after signing, and a round that points at another round's (valid) list.
    const honest = buildDistribution(core, 7);
    const tampered = await roundWithList(core, 8, key, { ...honest, list: { ...honest.list, round: 8, distribution: { [key]: 1 }, total: 1 } });
    await roundWithList(core, 9, key, honest);
    await checker.check();
    expect(events.slice(1)).toEqual([
      { type: 'payout_invalid', round: 8, cid: tampered, problems: [`the signature does not verify: the list is not what ${core.coordinatorKey.publicKeyBase58} signed`] },
      { type: 'payout_invalid', round: 9, cid: good, problems: ['it is the list of round 7, not of round 9'] },
    ]);
    expect(describeWorkerEvent(events[1]!)).toMatch(/^WARNING: round 8 payout list \w+ does NOT verify: the signature does not verify/);
    await checker.stop();
  });

  it('holds lists to the pinned key, not to whatever key the coordinator announces today', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const keypair = t.stakedWorker();
    const rpc = createWorkerRpc(t.workerClient(keypair), 5000);
    const pinned = generateKeypair().publicKeyBase58;
    const events: WorkerEvent[] = [];
    const checker = new PayoutChecker({ rpc, gatewayUrl: t.url, emit: (event) => events.push(event), coordinatorKey: pinned });
    const cid = await paidRound(core, 3, keypair.publicKeyBase58);
    await checker.check();
    expect(events).toEqual([
      { type: 'payout_invalid', round: 3, cid, problems: [`signed by ${core.coordinatorKey.publicKeyBase58}, not by the coordinator key ${pinned}`] },
    ]);
    await checker.stop();
  });
});
