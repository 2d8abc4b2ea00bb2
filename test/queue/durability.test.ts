import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWorkerClient, type WorkerClient } from '../../client/worker-client.js';
import { generateKeypair, type Keypair } from '../../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { apiClient } from '../helpers/api.js';
import { tempDir } from '../helpers/coordinator.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'bin/swarmtask.mjs');
const TASK_ID = 'durability-task';
const MIN_STAKE = 1_000_000_000;

const childEnv = {
  ...process.env,
  SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
  SWARMTASK_RATE_LIMIT_STAKING_KEY_PER_SECOND: '0',
  SWARMTASK_RATE_LIMIT_API_KEY_PER_SECOND: '0',
  SWARMTASK_LOG_LEVEL: 'warn',
  SWARMTASK_MIN_STAKE: String(MIN_STAKE),
};

/** Runs an admin command of the CLI on the data dir and parses its `--json` output. */
async function cli(dataDir: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args, '--data', dataDir, '--json'], {
    cwd: REPO,
    env: childEnv,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

interface ChildServer {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `swarmtask server --json` as a child process; resolves once it printed its `listening` line. */
async function startServer(dataDir: string, port = 0): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', String(port), '--data', dataDir, '--task-id', TASK_ID, '--json'],
    { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let message: { event?: string; url?: string; port?: number } | undefined;
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message?.event === 'listening' && message.url) resolve({ url: message.url, port: Number(new URL(message.url).port) });
    });
    void exited.then(({ code, signal }) => reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`)));
  });
  const { url, port: actualPort } = await listening;
  return { url, port: actualPort, child, exited };
}

async function kill9(server: ChildServer): Promise<void> {
  server.child.kill('SIGKILL');
  const { signal } = await server.exited;
  expect(signal).toBe('SIGKILL');
}

async function stop(server: ChildServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Everything the store holds about work and identity, read straight from the file. */
function storeSnapshot(dataDir: string) {
  const db = new Database(join(dataDir, 'swarmtask.db'), { readonly: true });
  try {
    return {
      todos: db.prepare('SELECT * FROM todos ORDER BY id').all(),
      assignments: db.prepare('SELECT * FROM assignments ORDER BY id').all(),
      events: db.prepare('SELECT * FROM events ORDER BY id').all(),
      workers: db.prepare('SELECT * FROM workers ORDER BY staking_key').all(),
      apiKeys: db.prepare('SELECT id, name, secret_hash, created_at, revoked_at FROM api_keys ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

function integrityCheck(dataDir: string): unknown {
  const db = new Database(join(dataDir, 'swarmtask.db'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

const lease = (c: { todoId: number; leaseToken: string }) => ({ todoId: c.todoId, leaseToken: c.leaseToken });

async function stakedKeypair(dataDir: string): Promise<Keypair> {
  const keypair = generateKeypair();
  const worker = await cli(dataDir, 'stake', 'set', keypair.publicKeyBase58, String(MIN_STAKE));
  expect(worker).toMatchObject({ stakingKey: keypair.publicKeyBase58, stake: MIN_STAKE });
  return keypair;
}

function workerClient(url: string, keypair: Keypair, clients: WorkerClient[]): WorkerClient {
  const client = createWorkerClient({ url, keypair, taskId: TASK_ID, retryDelayMs: (attempt) => Math.min(100 * 2 ** attempt, 2000) });
  clients.push(client);
  return client;
}

describe('durability across kill -9 (server as a child process via the CLI)', () => {
  it('every todo, its state and its lease survive; the worker’s lease still works after the restart', async () => {
    using dir = tempDir('swarmtask-durability-');
    const { key: apiKey } = (await cli(dir.path, 'keys', 'create', '--name', 'durability')) as { key: string };
    expect(apiKey).toMatch(/^sk_/);
    const keyA = await stakedKeypair(dir.path);
    const keyB = await stakedKeypair(dir.path);
    const clients: WorkerClient[] = [];
    let first: ChildServer | undefined;
    let second: ChildServer | undefined;
    try {
      first = await startServer(dir.path);
      const api = apiClient(first.url, apiKey);
      const created: number[] = [];
      created.push((await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority: 50, maxAttempts: 1 })).todo.id);
      for (let i = 0; i < 8; i++) created.push((await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority: 10 - i })).todo.id);
      const deduped = (await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, dedupeKey: 'only-once', priority: -5 })).todo.id;
      const scheduled = (
        await api.todos.create.mutate({
          spec: { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: new Date(Date.now() + 24 * 3_600_000).toISOString() } },
        })
      ).todo;

      const a = workerClient(first.url, keyA, clients);
      const b = workerClient(first.url, keyB, clients);
      const claimedA = await a.todos.claim({ max: 5 });
      expect(claimedA.map((c) => c.todoId)).toEqual(created.slice(0, 5));
      const [failsForGood, submitted, failedOnce, heartbeated, held] = claimedA;
      expect(await a.todos.reportFailures({ failures: [{ ...lease(failsForGood!), error: 'unrecoverable' }] })).toEqual([
        { todoId: failsForGood!.todoId, ok: true, status: 'failed' },
      ]);
      expect(await a.todos.reportResults({ results: [{ ...lease(submitted!), result: { answer: 42 } }] })).toEqual([
        { todoId: submitted!.todoId, ok: true },
      ]);
      await a.todos.reportFailures({ failures: [{ ...lease(failedOnce!), error: 'transient' }] });
      const [beat] = await a.todos.heartbeat({ leases: [lease(heartbeated!)] });
      expect(beat).toMatchObject({ ok: true });

      const claimedB = await b.todos.claim({ max: 3 });
      expect(claimedB.map((c) => c.todoId)).toEqual([failedOnce!.todoId, ...created.slice(5, 7)]);
      const [bHeld, bOther, bReleased] = claimedB;
      await b.todos.release({ leases: [lease(bReleased!)] });
      await api.todos.cancel.mutate({ id: created[7]! });

      const listed = (await api.todos.list.query({ limit: 500 })).todos;
      const byId = new Map(listed.map((t) => [t.id, t]));
      expect(byId.get(failsForGood!.todoId)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(byId.get(submitted!.todoId)).toMatchObject({ status: 'submitted', result: { answer: 42 } });
      expect(byId.get(failedOnce!.todoId)).toMatchObject({ status: 'in_progress', attempts: 2, holderKey: keyB.publicKeyBase58 });
      expect(byId.get(heartbeated!.todoId)).toMatchObject({ status: 'in_progress', holderKey: keyA.publicKeyBase58 });
      expect(byId.get(held!.todoId)).toMatchObject({ status: 'in_progress', leaseExpiresAt: held!.leaseExpiresAt });
      expect(byId.get(bReleased!.todoId)).toMatchObject({ status: 'initialized', attempts: 0 });
      expect(byId.get(created[7]!)).toMatchObject({ status: 'cancelled' });
      expect(byId.get(deduped)).toMatchObject({ status: 'initialized' });
      expect(byId.get(scheduled.id)).toMatchObject({ status: 'initialized', availableAt: scheduled.availableAt });
      const before = storeSnapshot(dir.path);
      expect(before.todos).toHaveLength(11);

      // A second coordinator on the same data dir is refused, naming the first, before it takes a
      // port or touches the store. (If it were not, it would keep serving until this timeout.)
      const intruder = await promisify(execFile)(process.execPath, [CLI, 'server', '--port', '0', '--data', dir.path, '--task-id', TASK_ID], {
        cwd: REPO,
        env: childEnv,
        timeout: 20_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code?: number | null; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
      expect(intruder.code, intruder.stderr).toBe(1);
      expect(intruder.stderr).toContain(`another coordinator is already running on the data dir ${dir.path} (pid ${first.child.pid}, ${first.url}, since `);
      expect(storeSnapshot(dir.path)).toEqual(before);

      await kill9(first);
      second = await startServer(dir.path, first.port);
      expect(second.url).toBe(first.url);

      // Nothing changed across the crash: every row of work, identity and history is there.
      expect(storeSnapshot(dir.path)).toEqual(before);
      expect(integrityCheck(dir.path)).toBe('ok');
      const api2 = apiClient(second.url, apiKey);
      expect((await api2.todos.list.query({ limit: 500 })).todos).toEqual(listed);
      expect(await fetch(`${second.url}/readyz`).then((r) => r.status)).toBe(200);

      // The same worker clients reconnect to the restarted coordinator; their leases still hold.
      expect(await a.todos.reportResults({ results: [{ ...lease(held!), result: 'after restart' }] })).toEqual([
        { todoId: held!.todoId, ok: true },
      ]);
      const [beatAgain] = await a.todos.heartbeat({ leases: [lease(heartbeated!)] });
      expect(beatAgain).toMatchObject({ todoId: heartbeated!.todoId, ok: true });
      expect(await b.todos.reportFailures({ failures: [{ ...lease(bHeld!), error: 'after restart' }] })).toEqual([
        { todoId: bHeld!.todoId, ok: true, status: 'initialized' },
      ]);
      expect(await b.todos.reportResults({ results: [{ ...lease(bOther!), result: 'b done' }] })).toEqual([
        { todoId: bOther!.todoId, ok: true },
      ]);
      // A stale token is still refused after the restart.
      expect(await a.todos.reportResults({ results: [{ ...lease(failedOnce!), result: 'stale' }] })).toEqual([
        { todoId: failedOnce!.todoId, ok: false, reason: 'LEASE_LOST' },
      ]);
      expect(await api2.todos.get.query({ id: held!.todoId })).toMatchObject({ status: 'submitted', result: 'after restart' });
      expect(await api2.todos.get.query({ id: bHeld!.todoId })).toMatchObject({ status: 'initialized', attempts: 2, lastError: 'after restart' });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      if (first) await stop(first);
      if (second) await stop(second);
    }
  });

  it('every acknowledged claim and result is still there after a kill -9 in the middle of traffic', async () => {
    using dir = tempDir('swarmtask-durability-');
    const { key: apiKey } = (await cli(dir.path, 'keys', 'create', '--name', 'durability')) as { key: string };
    const keypairs = [await stakedKeypair(dir.path), await stakedKeypair(dir.path), await stakedKeypair(dir.path)];
    const clients: WorkerClient[] = [];
    let first: ChildServer | undefined;
    let second: ChildServer | undefined;
    try {
      first = await startServer(dir.path);
      const api = apiClient(first.url, apiKey);
      for (let i = 0; i < 300; i++) await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC });

      const acknowledgedClaims: { todoId: number; leaseToken: string; stakingKey: string }[] = [];
      const acknowledgedResults: { todoId: number; stakingKey: string }[] = [];
      let stopLoops = false;
      const loops = keypairs.map(async (keypair) => {
        const worker = workerClient(first!.url, keypair, clients);
        while (!stopLoops) {
          try {
            const claimed = await worker.todos.claim({ max: 4 });
            if (claimed.length === 0) return;
            for (const c of claimed) acknowledgedClaims.push({ ...lease(c), stakingKey: keypair.publicKeyBase58 });
            const toReport = claimed.slice(0, 3); // one of every four stays in progress
            const outcomes = await worker.todos.reportResults({ results: toReport.map((c) => ({ ...lease(c), result: c.todoId })) });
            for (const o of outcomes) if (o.ok) acknowledgedResults.push({ todoId: o.todoId, stakingKey: keypair.publicKeyBase58 });
          } catch {
            return; // the connection died with the server
          }
        }
      });
      // Kill once a good amount of work is acknowledged, with calls still in flight.
      await expect.poll(() => acknowledgedResults.length, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(60);
      await kill9(first);
      stopLoops = true;
      await Promise.all(loops);

      second = await startServer(dir.path, first.port);
      expect(integrityCheck(dir.path)).toBe('ok');
      const api2 = apiClient(second.url, apiKey);
      const todos = new Map((await api2.todos.list.query({ limit: 500 })).todos.map((t) => [t.id, t]));
      expect(todos.size).toBe(300);
      for (const r of acknowledgedResults) {
        expect(todos.get(r.todoId), `todo ${r.todoId}`).toMatchObject({ status: 'submitted', result: r.todoId, holderKey: r.stakingKey });
      }
      const reported = new Set(acknowledgedResults.map((r) => r.todoId));
      const db = new Database(join(dir.path, 'swarmtask.db'), { readonly: true });
      try {
        for (const c of acknowledgedClaims) {
          const row = db.prepare('SELECT * FROM assignments WHERE todo_id = ? AND lease_token = ?').get(c.todoId, c.leaseToken);
          expect(row, `assignment of todo ${c.todoId}`).toMatchObject({ staking_key: c.stakingKey });
          const todo = todos.get(c.todoId)!;
          if (!reported.has(c.todoId)) {
            // Claimed and acknowledged, report not acknowledged: still held, or its report landed just before the kill.
            expect(['in_progress', 'submitted']).toContain(todo.status);
            expect(todo.holderKey).toBe(c.stakingKey);
          }
        }
        // Each state change's event survived with it.
        const submittedRows = db.prepare("SELECT count(*) AS n FROM todos WHERE status = 'submitted'").get() as { n: number };
        const submittedEvents = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'todo.submitted'").get() as { n: number };
        expect(submittedEvents.n).toBe(submittedRows.n);
        const claims = db.prepare('SELECT count(*) AS n FROM assignments').get() as { n: number };
        const claimEvents = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'todo.claimed'").get() as { n: number };
        expect(claimEvents.n).toBe(claims.n);
      } finally {
        db.close();
      }

      // A lease acknowledged before the crash and never reported can still be completed.
      const open = acknowledgedClaims.find((c) => todos.get(c.todoId)?.status === 'in_progress');
      expect(open).toBeDefined();
      const owner = keypairs.find((k) => k.publicKeyBase58 === open!.stakingKey)!;
      const fresh = workerClient(second.url, owner, clients);
      expect(await fresh.todos.reportResults({ results: [{ ...lease(open!), result: 'finished later' }] })).toEqual([
        { todoId: open!.todoId, ok: true },
      ]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      if (first) await stop(first);
      if (second) await stop(second);
    }
  });
});
