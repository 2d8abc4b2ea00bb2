import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { createTodo } from '../../server/queue/index.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { spec } from '../helpers/rounds.js';
import { CLI, runCli, spawnCli, writeExampleSpec } from '../helpers/run-cli.js';

describe('swarmtask CLI', () => {
  it('adds work on the data dir of a running server, whose subscribers see it within a second', async () => {
    await using t = await startTestCoordinator();
    const client = t.workerClient(t.stakedWorker());
    const seen: { todoId: number }[] = [];
    const started = new Promise<void>((resolve) => {
      client.trpc.todos.onAvailable.subscribe({}, { onStarted: () => resolve(), onData: ({ data }) => seen.push(data) });
    });
    await started;
    const specFile = writeExampleSpec(t.dataDir);
    const added = await runCli(['todo', 'add', specFile, '--data', t.dataDir, '--task-id', 'test-task', '--priority', '7', '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const todo = JSON.parse(added.stdout) as { id: number; priority: number; created: boolean };
    expect(todo).toMatchObject({ priority: 7, created: true });
    // The server notices rows other processes wrote by polling the event log (100 ms here, 500 ms by default).
    await vi.waitFor(() => expect(seen.map((e) => e.todoId)).toEqual([todo.id]), { timeout: 5000 });
  });
  it('acts on a running server with --server and an API key', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const path = dir.path;
    const specFile = writeExampleSpec(path);
    const added = await runCli(['todo', 'add', specFile, '--server', t.url, '--api-key', t.apiKey, '--json']);
    expect(added.code).toBe(0);
    const listed = await runCli(['todo', 'list', '--server', t.url, '--json'], { SWARMTASK_API_KEY: t.apiKey });
    expect(JSON.parse(listed.stdout).todos.map((x: { id: number }) => x.id)).toEqual([JSON.parse(added.stdout).id]);
    const noKey = await runCli(['todo', 'list', '--server', t.url], { SWARMTASK_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--server needs an API key/);
  });
  it('server says where it listens and the next commands, with its data dir and URL filled in', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'coordinator');
    const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWARMTASK_TASK_ID: '' } });
    try {
      const lines: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
      await vi.waitFor(() => expect(lines).toHaveLength(5), { timeout: 20_000, interval: 50 });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(lines[0]!)?.[1];
      expect(lines[0]).toBe(`swarmtask coordinator listening on ${url} (data: ${data}, task: swarmtask-local)`);
      expect(lines.slice(1)).toEqual([
        `  dashboard  ${url}/  (it asks for an API key; one that can only look: swarmtask keys create --name dashboard --read-only --data ${data})`,
        `  add work   swarmtask todo add spec.json --data ${data}  (the original example: swarmtask todo example > spec.json)`,
        `  workers    swarmtask worker --server ${url} --key node.json  (after: swarmtask keygen --out node.json; swarmtask stake set <its key> 1000000000 --data ${data})`,
        `  status     swarmtask status --data ${data}   (live: swarmtask events --follow --data ${data})`,
      ]);
      // The commands it suggests work as written.
      expect((await runCli(['status', '--data', data])).stdout).toMatch(new RegExp(`^coordinator +running, pid ${child.pid} at ${url} `));
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.kill('SIGTERM')) await exited;
    }
  });
  it('events prints the newest events and, with --follow, new ones as they happen until Ctrl-C', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const first = createTodo(core, { spec, priority: 0 }).todo.id;
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    const shown = (await runCli(['events', '--last', '2', '--data', t.dataDir], env)).stdout.split('\n');
    expect(shown[0]).toMatch(new RegExp(`^\\d{4}-\\S+  #\\d+  todo ${first} queued$`));
    expect(shown[1]).toMatch(new RegExp(`^\\d{4}-\\S+  #\\d+  todo\\.available todo ${first} `));

    const follower = spawnCli(['events', '--follow', '--last', '0', '--server', t.url, '--api-key', t.apiKey], env);
    const lines = follower.stdout;
    try {
      // Work added before it has started reading is (rightly) not "new" to it: add more until a todo shows up.
      const added: number[] = [];
      await vi.waitFor(
        () => {
          added.push(createTodo(core, { spec, priority: 0 }).todo.id);
          expect(lines.some((l) => added.some((id) => l.endsWith(`todo ${id} queued`)))).toBe(true);
        },
        { timeout: 20_000, interval: 500 },
      );
      expect(lines.some((l) => l.endsWith(`todo ${first} queued`))).toBe(false);
    } finally {
      follower.kill();
    }
    expect(await follower.exited).toBe(0);
  });
  it('says which port is taken and how to pick another when the coordinator cannot listen', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const busy = await runCli(['server', '--data', dir.path, '--port', String(t.coordinator.port)]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `swarmtask: 127.0.0.1:${t.coordinator.port} is already in use (another swarmtask server or up?): stop it, or pick another port with --port / SWARMTASK_PORT (0 picks a free one)\n`,
    );
  });
  it('exits 2 naming the variable on a bad configuration value', async () => {
    using dir = tempDir();
    const path = dir.path;
    const result = await runCli(['server', '--data', path], { SWARMTASK_LEASE_MS: 'soon' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SWARMTASK_LEASE_MS/);
  });
  it('rejects an invalid spec file naming the field, and keygen writes a Solana-format keypair', async () => {
    using dir = tempDir();
    const path = dir.path;
    const specFile = join(path, 'bad.json');
    writeFileSync(specFile, JSON.stringify({ ...EXAMPLE_SWARM_SPEC, agents: [{ agent_name: 'a' }] }));
    const bad = await runCli(['todo', 'add', specFile, '--data', path]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/agents\.0\.model_name/);
    // A spec can come on standard input, as `swarmtask todo example | swarmtask todo add -`.
    const example = (await runCli(['todo', 'example'])).stdout;
    expect((await runCli(['todo', 'add', '-', '--data', path], {}, undefined, example)).stdout).toMatch(/^todo 1 queued \(ConcurrentWorkflow: Financial Analysis Swarm; /);
    const badStdin = await runCli(['todo', 'add', '-', '--data', path], {}, undefined, '{"name": 1}');
    expect(badStdin.code).toBe(1);
    expect(badStdin.stderr).toMatch(/^swarmtask: standard input is not a valid SwarmSpec: name: /);
    // On the data dir the CLI calls the same procedures as over HTTP, so the same input checks hold.
    const badKey = await runCli(['stake', 'set', 'not-a-key', '1000000000', '--data', path]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/stakingKey: must be a base58 Ed25519 public key/);
    expect(JSON.parse((await runCli(['workers', '--data', path, '--json'])).stdout)).toEqual({ workers: [], nextAfter: null });
    const unnamed = await runCli(['keys', 'create', '--name', '', '--data', path]);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toMatch(/^swarmtask: name: Too small/);
    expect(JSON.parse((await runCli(['keys', 'list', '--data', path, '--json'])).stdout)).toEqual([]);
    // Checked before anything is opened, as a usage error naming the flag.
    const negative = await runCli(['todo', 'list', '--limit', '-3', '--data', path]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/^swarmtask: --limit: Too small/);

    const keyFile = join(path, 'key.json');
    const keygen = await runCli(['keygen', '--out', keyFile, '--json']);
    const { publicKey } = JSON.parse(keygen.stdout) as { publicKey: string };
    const { readKeypairFile } = await import('../../shared/keypair.js');
    expect(readKeypairFile(keyFile).publicKeyBase58).toBe(publicKey);
    const again = await runCli(['keygen', '--out', keyFile]);
    expect(again.code).toBe(1);
  });
});
