import bs58 from 'bs58';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDistribution } from '../../shared/distribution.js';
import { signDetached } from '../../shared/ed25519.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { generateKeypair, writeKeypairFile, type Keypair } from '../../shared/keypair.js';
import { buildDistribution, publishPendingDistributions } from '../../server/rounds/publish-distribution.js';
import type { Core } from '../../server/core.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

/** A tallied round 7 paying two keys, its list signed and stored the way the coordinator does it. */
async function paidRound(core: Core, payees: Record<string, number>): Promise<string> {
  core.sqlite.prepare("INSERT INTO rounds (number, starts_at, ends_at, status, tallied_at) VALUES (7, 0, 1, 'tallied', 2)").run();
  const insert = core.sqlite.prepare('INSERT INTO payouts (round, staking_key, amount) VALUES (7, ?, ?)');
  for (const [key, amount] of Object.entries(payees)) insert.run(key, amount);
  await publishPendingDistributions(core);
  return (core.sqlite.prepare('SELECT distribution_cid AS cid FROM rounds WHERE number = 7').get() as { cid: string }).cid;
}

/** A list signed over its canonical JSON, as the coordinator signs them. */
function signedList(list: { taskId: string; round: number; distribution: Record<string, number>; total: number }, key: Keypair) {
  const signature = bs58.encode(signDetached(new TextEncoder().encode(canonicalJson(list)), key.secretKey));
  return { list, coordinatorKey: key.publicKeyBase58, signature };
}

const store = async (core: Core, document: unknown) => core.ipfs.add(new TextEncoder().encode(JSON.stringify(document)));

describe('swarmtask round verify: a node runner checks a payout list without trusting its server', () => {
  it('verifies a published list and what it pays a key; a tampered, foreign-signed or inconsistent one fails, naming why', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    using dir = tempDir();
    const runner = generateKeypair();
    const keyFile = join(dir.path, 'node.json');
    writeKeypairFile(keyFile, runner);
    const other = generateKeypair().publicKeyBase58;
    const cid = await paidRound(core, { [runner.publicKeyBase58]: 400_000_000_000, [other]: 800_000_000_000 });
    const server = ['--server', t.url];

    const ok = await runCli(['round', 'verify', cid, '--key', keyFile, ...server]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      [
        `payout list ${cid} verified`,
        '  round      7',
        '  task       test-task',
        `  signed by  ${core.coordinatorKey.publicKeyBase58}`,
        '  total      1,200 SWARMS to 2 keys',
        `  your key   400 SWARMS (${runner.publicKeyBase58})`,
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await runCli(['round', 'verify', cid, '--json', ...server])).stdout);
    expect(json).toMatchObject({ cid, ok: true, problems: [], document: { list: { round: 7, total: 1_200_000_000_000 } } });

    // The amounts changed after signing (the signature kept): the signature no longer verifies.
    const honest = buildDistribution(core, 7);
    const tampered = { ...honest, list: { ...honest.list, distribution: { ...honest.list.distribution, [other]: 1 }, total: 400_000_000_001 } };
    const tamperedRun = await runCli(['round', 'verify', await store(core, tampered), ...server]);
    expect(tamperedRun.code).toBe(1);
    expect(tamperedRun.stdout).toContain(`  - the signature does not verify: the list is not what ${core.coordinatorKey.publicKeyBase58} signed`);

    // Pinned to another coordinator's key: this one's lists are refused.
    const pinned = generateKeypair().publicKeyBase58;
    const foreign = await runCli(['round', 'verify', cid, '--coordinator-key', pinned, ...server]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain(`  - signed by ${core.coordinatorKey.publicKeyBase58}, not by the coordinator key ${pinned}`);

    // Something that is not a payout list at all, and a CID the coordinator does not have.
    const notAList = await runCli(['round', 'verify', await store(core, { hello: 'world' }), ...server]);
    expect(notAList.code).toBe(1);
    expect(notAList.stdout).toMatch(/is NOT valid:\n {2}- not a payout list: list: /);
    const missing = await runCli(['round', 'verify', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', ...server]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^swarmtask: could not read payout list bafk\w+ from http:\/\/127\.0\.0\.1:\d+: /);
    const badKey = await runCli(['round', 'verify', cid, '--coordinator-key', 'nope', ...server]);
    expect(badKey).toMatchObject({ code: 2, stderr: 'swarmtask: --coordinator-key must be a base58 Ed25519 public key, got "nope"\n' });
  });

  it('checks that the total is the sum of the amounts, even when the signature is good', () => {
    const coordinator = generateKeypair();
    const payee = generateKeypair().publicKeyBase58;
    // A coordinator that signs an inconsistent list is caught too (signing it properly here).
    const list = { taskId: 't', round: 1, distribution: { [payee]: 5 }, total: 6 };
    const bytes = new TextEncoder().encode(JSON.stringify(signedList(list, coordinator)));
    expect(checkDistribution(bytes).problems).toEqual(['total 6 is not the sum of the amounts (5)']);
    expect(checkDistribution(bytes, { taskId: 'other' }).problems).toContain('for task t, not other');
  });
});
