import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setStake } from '../../server/auth/workers.js';
import { writeKeypairFile } from '../../shared/keypair.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

describe('swarmtask earnings', () => {
  it("tells a node runner, with only its key file, its stake, balance, submissions, audits and paying rounds", async () => {
    await using t = await startTestCoordinator({ roundMs: 10_000 });
    using dir = tempDir();
    const keypair = t.stakedWorker();
    const keyFile = join(dir.path, 'staking.json');
    writeKeypairFile(keyFile, keypair);
    const key = keypair.publicKeyBase58;
    // Two rewards in one round and one in another, as a tally writes them.
    const insert = t.coordinator.core.sqlite.prepare("INSERT INTO ledger (staking_key, round, kind, amount, created_at) VALUES (?, ?, 'reward', ?, 0)");
    insert.run(key, 3, 400_000_000_000);
    insert.run(key, 3, 250_000_000);
    insert.run(key, 5, 400_000_000_000);
    // Round 5's payout list is published: the view says how to check it.
    t.coordinator.core.sqlite.prepare("INSERT INTO rounds (number, starts_at, ends_at, status, distribution_cid) VALUES (5, 0, 1, 'tallied', 'bafkreiround5')").run();

    const args = ['earnings', '--key', keyFile, '--server', t.url];
    const shown = await runCli(args);
    expect(shown.stderr).toBe('');
    expect(shown.stdout.trimEnd().split('\n')).toEqual([
      `staking key    ${key}`,
      'stake          1 SWARMS, meets the minimum of 1 SWARMS',
      'balance        800.25 SWARMS (800.25 SWARMS rewarded, 0 SWARMS slashed)',
      'submissions    0 approved, 0 rejected, 0 awaiting audit',
      'audits         0 voted, 0 assigned, 0 expired unvoted',
      'recent rounds  5: 400 SWARMS, 3: 400.25 SWARMS',
      "verify it      swarmtask round verify bafkreiround5 (round 5's signed payout list)",
    ]);
    expect(JSON.parse((await runCli([...args, '--rounds', '1', '--json'])).stdout)).toMatchObject({ balance: 800_250_000_000, rounds: [{ round: 5, amount: 400_000_000_000, distributionCid: 'bafkreiround5' }] });

    // A key whose stake was withdrawn still sees what it earned, and why it gets no work.
    setStake(t.coordinator.core, key, 0);
    expect((await runCli(args)).stdout).toMatch(/^stake +0 SWARMS, below the minimum of 1 SWARMS: no new work or audits until the operator stakes it$/m);
    const badRounds = await runCli([...args, '--rounds', '0']);
    expect(badRounds).toMatchObject({ code: 2, stderr: 'swarmtask: --rounds must be an integer from 1 to 100, got "0"\n' });
  });
});
