import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { createTodo } from '../../server/queue/index.js';
import { castVote, claimAudits, roundTick } from '../../server/rounds/index.js';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { at, CID, setupRounds, spec, workAndSubmit } from '../helpers/rounds.js';
import { CLI, runCli } from '../helpers/run-cli.js';

describe('swarmtask CLI', () => {
  it('adds work on the data dir of a running server, whose subscribers see it within a second', async () => {
    await using t = await startTestCoordinator();
    const client = t.workerClient(t.stakedWorker());
    const seen: { todoId: number }[] = [];
    const started = new Promise<void>((resolve) => {
      client.trpc.todos.onAvailable.subscribe({}, { onStarted: () => resolve(), onData: ({ data }) => seen.push(data) });
    });
    await started;
    const specFile = join(t.dataDir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(EXAMPLE_SWARM_SPEC));
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
    const specFile = join(path, 'spec.json');
    writeFileSync(specFile, JSON.stringify(EXAMPLE_SWARM_SPEC));
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

    const child = spawn(process.execPath, [CLI, 'events', '--follow', '--last', '0', '--server', t.url, '--api-key', t.apiKey], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
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
    const negative = await runCli(['todo', 'list', '--limit', '-3', '--data', path]);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toMatch(/^swarmtask: limit: Too small/);

    const keyFile = join(path, 'key.json');
    const keygen = await runCli(['keygen', '--out', keyFile, '--json']);
    const { publicKey } = JSON.parse(keygen.stdout) as { publicKey: string };
    const { readKeypairFile } = await import('../../shared/keypair.js');
    expect(readKeypairFile(keyFile).publicKeyBase58).toBe(publicKey);
    const again = await runCli(['keygen', '--out', keyFile]);
    expect(again.code).toBe(1);
  });

  it('pages todo lists with --before, hinting the next page on stderr', async () => {
    using dir = tempDir();
    const specFile = join(dir.path, 'spec.json');
    writeFileSync(specFile, JSON.stringify(EXAMPLE_SWARM_SPEC));
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(JSON.parse((await runCli(['todo', 'add', specFile, '--data', dir.path, '--json'])).stdout).id);
    const first = await runCli(['todo', 'list', '--limit', '2', '--data', dir.path]);
    expect(first.stdout.trim().split('\n').slice(1).map((line) => Number(line.split(/\s+/)[0]))).toEqual([ids[2], ids[1]]);
    expect(first.stderr).toBe(`more: add --before ${ids[1]}\n`);
    const rest = await runCli(['todo', 'list', '--limit', '2', '--before', String(ids[1]), '--data', dir.path, '--json']);
    expect(JSON.parse(rest.stdout)).toMatchObject({ todos: [{ id: ids[0] }], nextBeforeId: null });
    expect(rest.stderr).toBe('');
  });

  it('shows people amounts in SWARMS and a todo in words (--json keeps base units); an explicit --data beats SWARMTASK_SERVER_URL', async () => {
    using dir = tempDir();
    const data = ['--data', dir.path];
    // A coordinator URL in the environment (as a worker host has) must not take over a --data command.
    const env = { SWARMTASK_SERVER_URL: `http://127.0.0.1:${await closedPort()}` };
    const specFile = join(dir.path, 'spec.json');
    writeFileSync(specFile, JSON.stringify(EXAMPLE_SWARM_SPEC));
    const added = await runCli(['todo', 'add', specFile, ...data, '--reward', '1500000000', '--repo', 'acme/site'], env);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('todo 1 queued (ConcurrentWorkflow: Financial Analysis Swarm; reward 1.5 SWARMS)\n');
    const shown = (await runCli(['todo', 'show', '1', ...data], env)).stdout.split('\n');
    expect(shown[0]).toBe('todo 1');
    for (const line of [
      /^ {2}status +initialized$/,
      /^ {2}swarm +ConcurrentWorkflow: Financial Analysis Swarm \(1 agent\)$/,
      /^ {2}reward +1\.5 SWARMS$/,
      /^ {2}attempts +0 of 5$/,
      /^ {2}repository +acme\/site$/,
    ]) {
      expect(shown.some((l) => line.test(l)), `${line} in\n${shown.join('\n')}`).toBe(true);
    }
    expect(JSON.parse((await runCli(['todo', 'show', '1', ...data, '--json'], env)).stdout)).toMatchObject({ reward: 1_500_000_000 });
    // A scheduled todo says when it becomes claimable, on add and on show.
    const later = '2099-01-02T03:04:05.000Z';
    const scheduledFile = join(dir.path, 'scheduled.json');
    writeFileSync(scheduledFile, JSON.stringify({ ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: later } }));
    expect((await runCli(['todo', 'add', scheduledFile, ...data], env)).stdout).toBe(
      `todo 2 queued (ConcurrentWorkflow: Financial Analysis Swarm; reward 400 SWARMS; scheduled, claimable from ${later})\n`,
    );
    expect((await runCli(['todo', 'show', '2', ...data], env)).stdout).toMatch(new RegExp(`^ {2}available +${later} \\(scheduled\\)$`, 'm'));

    const publicKey = JSON.parse((await runCli(['keygen', '--out', join(dir.path, 'k.json'), '--json'])).stdout).publicKey as string;
    expect((await runCli(['stake', 'set', publicKey, '2500000000', ...data], env)).stdout).toBe(
      `stake of ${publicKey} is now 2.5 SWARMS (2500000000 base units)\n`,
    );
    const workersTable = (await runCli(['workers', ...data], env)).stdout;
    expect(workersTable.split('\n')[0]).toMatch(/^stakingKey +githubUsername +stake +registeredAt +lastSeenAt$/);
    expect(workersTable).toMatch(new RegExp(`${publicKey} +- +2\\.5 SWARMS +\\d{4}-`));
    expect(JSON.parse((await runCli(['workers', ...data, '--json'], env)).stdout)).toMatchObject({ workers: [{ stakingKey: publicKey, stake: 2_500_000_000 }], nextAfter: null });
    // A page at a time: the next page's flag is printed on stderr, the table stays clean on stdout.
    const secondKey = JSON.parse((await runCli(['keygen', '--out', join(dir.path, 'k2.json'), '--json'])).stdout).publicKey as string;
    await runCli(['stake', 'set', secondKey, '1000000000', ...data], env);
    const firstPage = await runCli(['workers', '--limit', '1', ...data], env);
    expect(firstPage.stdout).toContain(publicKey);
    expect(firstPage.stdout).not.toContain(secondKey);
    const more = /^more: add (--after \S+)$/m.exec(firstPage.stderr);
    expect(more, firstPage.stderr).not.toBeNull();
    const nextPage = await runCli(['workers', '--limit', '1', ...more![1]!.split(' '), ...data, '--json'], env);
    expect(JSON.parse(nextPage.stdout)).toMatchObject({ workers: [{ stakingKey: secondKey }], nextAfter: null });
    const badSort = await runCli(['workers', '--sort', 'stake', ...data], env);
    expect(badSort.code).toBe(2);
    expect(badSort.stderr).toBe('swarmtask: --sort must be one of registered, lastSeen\n');

    const both = await runCli(['todo', 'list', ...data, '--server', 'http://127.0.0.1:1', '--api-key', 'k']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('swarmtask: pass either --server (a running coordinator) or --data (a data dir), not both\n');
  });

  it('round show defaults to the newest tallied round with work, whatever round length the coordinator ran', async () => {
    // The coordinator ran 10-second rounds; the CLI on its data dir has only its own default (10 min).
    const { core, keys } = setupRounds({ auditQuorum: 1 });
    using _ = core;
    const [worker, auditor] = keys as [string, string];
    createTodo(core, { spec, priority: 0 }, at(4, 0));
    workAndSubmit(core, worker, 4, CID(3));
    await roundTick(core, at(5));
    for (const task of claimAudits(core, auditor, 10, at(5, 5))) castVote(core, auditor, { auditId: task.auditId, vote: 'approve', reason: 'ok' }, {}, at(5, 6));
    for (const round of [6, 7, 8]) await roundTick(core, at(round));
    const shown = await runCli(['round', 'show', '--data', core.dataDir, '--json'], { SWARMTASK_TASK_ID: 'test-task' });
    expect(shown.stderr).toBe('');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      number: 4,
      status: 'tallied',
      startsAt: at(4, 0),
      endsAt: at(5, 0),
      distribution: { [worker]: 400_000_000_000 },
    });
    // A round the store has no row for is dated on the coordinator's clock too, not the CLI's.
    const unseen = JSON.parse((await runCli(['round', 'show', '20', '--data', core.dataDir, '--json'], { SWARMTASK_TASK_ID: 'test-task' })).stdout);
    expect(unseen).toMatchObject({ number: 20, startsAt: at(20, 0), endsAt: at(21, 0), submissions: [] });
    // status names the same round and what it paid.
    const status = (await runCli(['status', '--data', core.dataDir], { SWARMTASK_TASK_ID: 'test-task' })).stdout;
    expect(status).toMatch(/^last tally +round 4: paid 400 SWARMS to 1 key, list b[a-z2-7]+$/m);
    expect(status).toMatch(/^todos +1 done$/m);
    expect(status).toMatch(/^queue +nothing waiting to be claimed$/m);
  });

  it('status: who serves the data dir, todos by status, workers, the round; a mistyped --data is refused, not created', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    t.stakedWorker();
    for (let i = 0; i < 2; i++) createTodo(t.coordinator.core, { spec, priority: 0 });
    const shown = await runCli(['status', '--data', t.dataDir], env);
    expect(shown.stderr).toBe('');
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^coordinator +running, pid ${process.pid} at ${t.url} since \\d{4}-`));
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^task +test-task$/),
      expect.stringMatching(/^todos +2 initialized$/),
      expect.stringMatching(/^queue +the oldest claimable todo has waited \d+ s$/),
      expect.stringMatching(/^workers +1 registered, 1 staked at least 1 SWARMS, 1 seen in the last 10 minutes$/),
      expect.stringMatching(/^round +\d+, ends \d{4}-.+ \(600 s rounds\)$/),
      expect.stringMatching(/^last tally +no round with work tallied yet$/),
    ]);
    const remote = JSON.parse((await runCli(['status', '--server', t.url, '--api-key', t.apiKey, '--json'])).stdout);
    expect(remote).toMatchObject({ source: { serverUrl: t.url }, taskId: 'test-task', todos: { initialized: 2 }, oldestClaimableWaitMs: expect.any(Number), lastTalliedRound: null });

    const typo = join(dir.path, 'dta');
    for (const command of [['status'], ['todo', 'list'], ['workers']]) {
      const refused = await runCli([...command, '--data', typo]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`swarmtask: no swarmtask store in ${typo} (${join(typo, 'swarmtask.db')} does not exist): check --data / SWARMTASK_DATA_DIR\n`);
    }
    expect(existsSync(typo)).toBe(false);
  });

  it('cancels and redrives todos, fails and releases leases, and revokes keys, with one line each', async () => {
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
      new RegExp(`^ {2}claims\\n {2}1\\. claimed \\S+Z by ${publicKey} → failed after \\d+ s: model timed out\\n$`, 'm'),
    );
    expect(JSON.parse((await runCli(['todo', 'show', String(handedBack), ...data, '--json'], env)).stdout).history).toEqual([
      expect.objectContaining({ stakingKey: publicKey, outcome: 'released', endedAt: expect.any(Number) }),
    ]);

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
    const specFile = join(path, 'spec.json');
    writeFileSync(specFile, JSON.stringify(EXAMPLE_SWARM_SPEC));
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
