import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCoordinatorPin } from '../../client/worker/coordinator-pin.js';
import { generateKeypair, writeKeypairFile } from '../../shared/keypair.js';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { checkRows } from '../helpers/check-lines.js';
import { runCli } from '../helpers/run-cli.js';

const noKeys = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', SWARMTASK_MODEL_MAP: '' };

describe('swarmtask worker --check', () => {
  it('says a staked node on the offline model is ready, and claims, registers and writes nothing', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keypair = t.stakedWorker();
    const keyFile = join(dir.path, 'node.json');
    writeKeypairFile(keyFile, keypair);
    const dataDir = join(dir.path, 'worker-data');
    const coordinatorKey = t.coordinator.core.coordinatorKey.publicKeyBase58;

    const result = await runCli(
      ['worker', '--check', '--key', keyFile, '--server', t.url, '--data', dataDir, '--max-cost-per-day', '5', '--min-reward', '250.5', '--swarm-types', 'ConcurrentWorkflow,HierarchicalSwarm'],
      noKeys,
    );
    expect(result.code).toBe(0);
    expect(checkRows(result.stdout)).toEqual([
      ['ok', 'key', `staking key ${keypair.publicKeyBase58} (${keyFile})`],
      ['ok', 'coordinator', `${t.url} runs task test-task`],
      ['ok', 'signing key', `payout lists signed by ${coordinatorKey}; pinned in ${dataDir}/coordinator-keys.json at the first start`],
      ['ok', 'stake', 'registered, stake 1 SWARMS (minimum 1 SWARMS), balance 0 SWARMS'],
      ['warn', 'models', 'model map "*=offline": the offline model writes placeholder answers (set --model-map / SWARMTASK_MODEL_MAP for real ones)'],
      ['ok', 'budgets', 'at most $5.00 per day'],
      ['ok', 'work', 'claims todos paying at least 250.5 SWARMS, of type ConcurrentWorkflow or HiearchicalSwarm'],
      ['ok', 'data dir', `${dataDir} (created at the first start)`],
    ]);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('ready: start the worker without --check');
    expect(existsSync(dataDir)).toBe(false);
    const claims = t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM assignments').get() as { n: number };
    expect(claims.n).toBe(0);
  });

  it('fails on a key the coordinator no longer signs with and on a provider without its key; warns about a key not yet registered', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keypair = generateKeypair(); // neither registered nor staked
    const keyFile = join(dir.path, 'node.json');
    writeKeypairFile(keyFile, keypair);
    const dataDir = join(dir.path, 'worker-data');
    const oldKey = generateKeypair().publicKeyBase58;
    writeCoordinatorPin(dataDir, 'test-task', { key: oldKey, source: 'first contact', pinnedAt: '2026-11-30T00:00:00.000Z' });

    const result = await runCli(['worker', '--check', '--key', keyFile, '--server', t.url, '--data', dataDir, '--model-map', '*=openai/gpt-4o', '--json'], noKeys);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string }[] };
    expect(report.ok).toBe(false);
    const byName = Object.fromEntries(report.checks.map((check) => [check.name, check]));
    expect(byName['signing key']).toEqual({
      name: 'signing key',
      status: 'fail',
      detail: expect.stringContaining(`now announces signing key ${t.coordinator.core.coordinatorKey.publicKeyBase58}, but this worker pinned ${oldKey}`),
    });
    expect(byName['stake']).toEqual({ name: 'stake', status: 'warn', detail: 'not registered yet: the worker registers itself when it starts' });
    expect(byName['models']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^model map "\*=openai\/gpt-4o": .*OPENAI_API_KEY/) });
    expect(byName['budgets']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^none: this node pays for whatever/) });
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM workers WHERE staking_key = ?').get(keypair.publicKeyBase58)).toEqual({ n: 0 });
  });

  it('warns that a dollar limit does not see a model without a price', async () => {
    using dir = tempDir();
    const keyFile = join(dir.path, 'node.json');
    writeKeypairFile(keyFile, generateKeypair());
    const url = `http://127.0.0.1:${await closedPort()}`;
    const args = ['worker', '--check', '--key', keyFile, '--server', url, '--data', join(dir.path, 'd'), '--model-map', '*=openai/gpt-9-preview'];
    const env = { ...noKeys, OPENAI_API_KEY: 'sk-test' };
    const dollars = await runCli([...args, '--max-cost-per-day', '5'], env);
    expect(dollars.stdout).toMatch(
      /^warn +budgets +at most \$5\.00 per day; but openai\/gpt-9-preview has no price in the price table, so dollar limits do not count it: add a token limit$/m,
    );
    // Tokens are counted whatever the price; and local models (Ollama) are free, so a dollar limit is right about them.
    const tokens = await runCli([...args, '--max-tokens-per-day', '2000000'], env);
    expect(tokens.stdout).toMatch(/^ok +budgets +at most 2,000,000 tokens per day$/m);
    const local = await runCli([...args.slice(0, -1), '*=ollama/llama3.1', '--max-cost-per-day', '5'], env);
    expect(local.stdout).toMatch(/^ok +budgets +at most \$5\.00 per day$/m);
  });

  it('still checks what it can when the coordinator does not answer', async () => {
    using dir = tempDir();
    const keyFile = join(dir.path, 'node.json');
    writeKeypairFile(keyFile, generateKeypair());
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['worker', '--check', '--key', keyFile, '--server', url, '--data', join(dir.path, 'd'), '--max-calls-per-todo', '30'], noKeys);
    expect(result.code).toBe(1);
    expect(checkRows(result.stdout).map(([status, name]) => `${status} ${name}`)).toEqual(['ok key', 'fail coordinator', 'warn models', 'ok budgets', 'ok work', 'ok data dir']);
    expect(result.stdout).toMatch(new RegExp(`^fail +coordinator +${url} does not answer: `, 'm'));
    expect(result.stdout).toMatch(/^ok +budgets +per todo at most 30 model calls$/m);
    expect(result.stdout).toMatch(/^ok +work +claims any todo$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 check failed: the worker would not work as set up');
  });
});
