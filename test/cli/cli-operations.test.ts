import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

describe('swarmtask CLI: operating the queue by hand (cancel, redrive, leases, keys, an unreachable coordinator)', () => {
  // Some 25 CLI processes, one after another: ~20 s on a quiet machine, over 50 s on a busy one.
  it('cancels and redrives todos, fails and releases leases, and revokes keys, with one line each', { timeout: 180_000 }, async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    const data = ['--data', t.dataDir];
    const specFile = join(dir.path, 'spec.json');
    writeFileSync(specFile, (await runCli(['todo', 'example'])).stdout);
    const add = async (...flags: string[]) => JSON.parse((await runCli(['todo', 'add', specFile, ...data, '--json', ...flags], env)).stdout).id as number;
    const [queued, failing, handedBack] = [await add(), await add('--max-attempts', '1', '--priority', '9'), await add('--priority', '5')];

    expect((await runCli(['todo', 'cancel', String(queued), ...data], env)).stdout).toBe(`todo ${queued} cancelled\n`);
    const again = await runCli(['todo', 'cancel', String(queued), ...data], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/todo \d+ is cancelled; only queued or in-progress todos can be cancelled/);

    const keyFile = join(dir.path, 'worker.json');
    const publicKey = JSON.parse((await runCli(['keygen', '--out', keyFile, '--json'])).stdout).publicKey as string;
    await runCli(['stake', 'set', publicKey, '1000000000', ...data], env);
    const lease = ['--key', keyFile, '--server', t.url];
    const claim = async () => (JSON.parse((await runCli(['lease', 'claim', ...lease, '--json'], env)).stdout) as { todoId: number; leaseToken: string }[])[0]!;
    // A node's choice of work: nothing pays 401 SWARMS (the default reward is 400), nothing is a vote.
    expect((await runCli(['lease', 'claim', ...lease, '--min-reward', '400.5'], env)).stdout).toBe('nothing to claim\n');
    expect((await runCli(['lease', 'claim', ...lease, '--swarm-types', 'MajorityVoting,GroupChat'], env)).stdout).toBe('nothing to claim\n');
    const first = await claim();
    expect(first.todoId).toBe(failing);
    expect((await runCli(['lease', 'fail', String(first.todoId), first.leaseToken, ...lease, '--error', 'model timed out'], env)).stdout).toBe(
      `todo ${failing} failed: that was its last attempt (swarmtask todo redrive ${failing} queues it again)\n`,
    );
    expect(JSON.parse((await runCli(['todo', 'show', String(failing), ...data, '--json'], env)).stdout)).toMatchObject({ status: 'failed', lastError: 'model timed out' });
    expect((await runCli(['todo', 'redrive', String(failing), ...data], env)).stdout).toBe(`todo ${failing} back in the queue (attempts 0/1)\n`);

    const second = await claim(); // the same key never gets the same todo twice: the other one
    expect(second.todoId).toBe(handedBack);
    expect((await runCli(['lease', 'release', String(second.todoId), second.leaseToken, ...lease], env)).stdout).toBe(`todo ${handedBack} released\n`);
    expect(JSON.parse((await runCli(['todo', 'show', String(handedBack), ...data, '--json'], env)).stdout)).toMatchObject({ status: 'initialized', attempts: 0 });
    // `todo show` lists every claim and how it ended.
    expect((await runCli(['todo', 'show', String(failing), ...data], env)).stdout).toMatch(
      new RegExp(`^ {2}claims\\n {2}1\\. claimed \\S+Z by ${publicKey} → failed after \\d+ s: model timed out\\n {2}\\(everything that happened to it: swarmtask events --todo ${failing}\\)\\n$`, 'm'),
    );
    expect(JSON.parse((await runCli(['todo', 'show', String(handedBack), ...data, '--json'], env)).stdout).history).toEqual([
      expect.objectContaining({ stakingKey: publicKey, outcome: 'released', endedAt: expect.any(Number) }),
    ]);
    // Released, it can come back to the same key; declined, it does not.
    const third = await claim();
    expect(third.todoId).toBe(handedBack);
    expect((await runCli(['lease', 'decline', String(third.todoId), third.leaseToken, ...lease, '--reason', 'needs a model this node does not run'], env)).stdout).toBe(
      `todo ${handedBack} declined: back in the queue for another node\n`,
    );
    expect((await runCli(['todo', 'show', String(handedBack), ...data], env)).stdout).toMatch(
      new RegExp(`^ {2}2\\. claimed \\S+Z by ${publicKey} → declined after \\d+ s: needs a model this node does not run$`, 'm'),
    );
    expect(JSON.parse((await runCli(['lease', 'claim', ...lease, '--json'], env)).stdout)).toEqual([]);
    // The list says why each todo went back, cut to fit.
    expect((await runCli(['todo', 'list', ...data], env)).stdout).toMatch(
      new RegExp(`^${handedBack} +initialized +ConcurrentWorkflow +Financial Analysis Swarm +5 +400 SWARMS +0/5 .* declined by ${publicKey.slice(0, 8)}…: needs a model this node does not run$`, 'm'),
    );

    const { id } = JSON.parse((await runCli(['keys', 'create', '--name', 'ops', ...data, '--json'], env)).stdout) as { id: string };
    expect((await runCli(['keys', 'revoke', id, ...data], env)).code).toBe(0);
    const keys = JSON.parse((await runCli(['keys', 'list', ...data, '--json'], env)).stdout) as { id: string; revokedAt: number | null }[];
    expect(keys.find((k) => k.id === id)?.revokedAt).toEqual(expect.any(Number));
    // A read-only key, for a dashboard: said on creation and listed with its scope.
    const readOnly = await runCli(['keys', 'create', '--name', 'dashboard', '--read-only', ...data], env);
    expect(readOnly.stdout).toMatch(/^sk_\w{12}_[\w-]{43}\n\(id \w{12}, read-only; store it now, it is not shown again\)\n$/);
    expect((await runCli(['keys', 'list', ...data], env)).stdout).toMatch(/^\w{12} +dashboard +read +\d{4}-/m);
  });
  it('names the coordinator it cannot reach, defaulting to SWARMTASK_PORT on this machine', async () => {
    using dir = tempDir();
    const keyFile = join(dir.path, 'worker.json');
    expect((await runCli(['keygen', '--out', keyFile])).code).toBe(0);
    const port = await closedPort();
    const env = { SWARMTASK_SERVER_URL: '', MIDDLE_SERVER_URL: '', SWARMTASK_PORT: String(port) };
    const byPort = await runCli(['lease', 'claim', '--key', keyFile], env);
    expect(byPort.code).toBe(1);
    expect(byPort.stderr).toContain(`cannot reach the coordinator at http://127.0.0.1:${port} (ECONNREFUSED)`);
    const admin = await runCli(['todo', 'list', '--server', `http://127.0.0.1:${port}`, '--api-key', 'k'], env);
    expect(admin.code).toBe(1);
    expect(admin.stderr).toContain(`cannot reach the coordinator at http://127.0.0.1:${port} (ECONNREFUSED)`);
    const notHttp = await runCli(['register', '--key', keyFile, '--server', 'ftp://127.0.0.1:1'], env);
    expect(notHttp.code).toBe(2);
    expect(notHttp.stderr).toMatch(/--server must be an http/);
    // Admin commands check --server by the same rule.
    const adminNotHttp = await runCli(['todo', 'list', '--server', 'ftp://127.0.0.1:1', '--api-key', 'k'], env);
    expect(adminNotHttp.code).toBe(2);
    expect(adminNotHttp.stderr).toMatch(/--server must be an http/);
    const adminNotUrl = await runCli(['todo', 'list', '--server', 'notaurl', '--api-key', 'k'], env);
    expect(adminNotUrl.code).toBe(2);
    expect(adminNotUrl.stderr).toMatch(/--server must be a URL, got "notaurl"/);
  });
  it('claims and completes a todo by hand, as the README shows', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const path = dir.path;
    const specFile = writeExampleSpec(path);
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    const todoId = JSON.parse((await runCli(['todo', 'add', specFile, '--data', t.dataDir, '--json'], env)).stdout).id as number;
    const keyFile = join(path, 'worker.json');
    const publicKey = JSON.parse((await runCli(['keygen', '--out', keyFile, '--json'])).stdout).publicKey as string;
    expect((await runCli(['stake', 'set', publicKey, '1000000000', '--data', t.dataDir], env)).code).toBe(0);
    // Worker-side commands learn the coordinator's task id ('test-task') from it when not told.
    const untold = { SWARMTASK_TASK_ID: '', TASK_ID: '' };
    expect((await runCli(['register', '--key', keyFile, '--server', t.url, '--github-user', 'alice'], untold)).stdout).toBe(`registered ${publicKey} (stake 1 SWARMS)\n`);
    // A key nobody staked yet is told what it needs and who gives it.
    const newcomerFile = join(path, 'newcomer.json');
    const newcomer = JSON.parse((await runCli(['keygen', '--out', newcomerFile, '--json'])).stdout).publicKey as string;
    expect((await runCli(['register', '--key', newcomerFile, '--server', t.url], untold)).stdout).toBe(
      `registered ${newcomer} (stake 0 SWARMS; it needs 1 SWARMS before it gets work: the coordinator's operator runs swarmtask stake set ${newcomer} 1000000000)\n`,
    );
    const claim = await runCli(['lease', 'claim', '--key', keyFile, '--server', t.url, '--json'], untold);
    const [lease] = JSON.parse(claim.stdout) as { todoId: number; leaseToken: string }[];
    expect(lease!.todoId).toBe(todoId);
    const beat = await runCli(['lease', 'heartbeat', String(todoId), lease!.leaseToken, '--key', keyFile, '--server', t.url], env);
    const until = /^todo \d+ is yours until (\S+)$/m.exec(beat.stdout)?.[1];
    expect(beat.stdout, beat.stderr).toBe(`todo ${todoId} is yours until ${until}\n`);
    expect(JSON.parse((await runCli(['todo', 'show', String(todoId), '--data', t.dataDir, '--json'], env)).stdout).leaseExpiresAt).toBe(Date.parse(until!));
    const held = (await runCli(['todo', 'show', String(todoId), '--data', t.dataDir], env)).stdout;
    expect(held).toMatch(new RegExp(`^ {2}held by +${publicKey}, lease until \\d{4}-`, 'm'));
    expect(held).toMatch(/^ {2}attempts +1 of 5$/m);
    const done = await runCli(['lease', 'complete', String(todoId), lease!.leaseToken, '--key', keyFile, '--server', t.url, '--result', '{"answer":42}'], env);
    expect(done.stdout).toMatch(/submitted/);
    const shown = JSON.parse((await runCli(['todo', 'show', String(todoId), '--data', t.dataDir, '--json'], env)).stdout);
    expect(shown).toMatchObject({ status: 'submitted', result: { answer: 42 }, holderKey: publicKey });
    const stale = await runCli(['lease', 'complete', String(todoId), lease!.leaseToken, '--key', keyFile, '--server', t.url], env);
    expect(stale.code, stale.stderr).toBe(1);
    expect(stale.stdout + stale.stderr).toMatch(/lost/);
  });
});
