/**
 * Queue throughput: claim + complete of no-op todos, in-process and through the real worker
 * client over WebSocket against a coordinator running as its own process, one todo per call and
 * batches of 32, with 1, 4, 16 and 64 concurrent workers; BullMQ on Redis as the peer baseline,
 * both with Redis's default persistence (RDB snapshots) and with AOF synced every second (the
 * durability class of the coordinator's WAL at synchronous=NORMAL).
 * Every WebSocket configuration runs --reps=N times (default 3), interleaved; each one compared
 * with BullMQ is bracketed by BullMQ runs of both kinds at the same concurrency. The tables show
 * medians with their range. Run: npm run bench (or: node bin/run-ts.mjs bench/queue.ts [--quick]
 * [--reps=N])
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkerClient, type WorkerClient } from '../client/worker-client.js';
import { generateKeypair } from '../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../shared/swarm-spec.js';
import { loadServerConfig } from '../server/config.js';
import { silentLogger } from '../server/logger.js';
import { openCore } from '../server/open-core.js';
import { setStake } from '../server/auth/workers.js';
import { claimTodos, createTodo, reportResults } from '../server/queue/index.js';
import type { Core } from '../server/core.js';
import { ensureRedisServer, runBullmq, startRedis, type RedisInstance, type RedisPersistence } from './lib/bullmq-peer.js';
import { processCpuSeconds, startChildServer } from './lib/child-server.js';
import { printTable, writeResults } from './lib/report.js';

const TASK_ID = 'bench';
const quick = process.argv.includes('--quick');
const CONCURRENCY = [1, 4, 16, 64];
/** Configurations compared with BullMQ, and the BullMQ concurrency each is compared with. */
const PAIRED_WITH_BULLMQ: Record<string, 16 | 64> = {
  'claim+report/32/16': 16,
  'claim+report/32/64': 64,
  'reportAndClaim/32/16': 16,
  'reportAndClaim/32/64': 64,
  'reportAndClaim/32/1x16': 16,
  'reportAndClaim/32/1x64': 64,
};
const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
const PERSISTENCES: RedisPersistence[] = ['rdb', 'aof'];
const PERSISTENCE_LABEL: Record<RedisPersistence, string> = { rdb: 'default, RDB', aof: 'AOF everysec' };

interface Row {
  mode: string;
  transport: string;
  workers: number;
  /** Calls each worker keeps in flight over its one connection. */
  callsPerWorker?: number;
  batch: number;
  todos: number;
  todosPerSecond: number;
  serverCpuUsPerTodo?: number;
  clientCpuUsPerTodo?: number;
}

/** Creates no-op todos in transactions of 500, so the server's sweeper never waits long for the lock. */
function seed(core: Core, count: number): void {
  for (let done = 0; done < count; done += 500) {
    core.sqlite.transaction(() => {
      for (let i = done; i < Math.min(count, done + 500); i++) createTodo(core, { spec, priority: 0 });
    })();
  }
}

function benchInProcess(batch: number, todos: number): Row {
  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-bench-'));
  const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: TASK_ID }), silentLogger());
  seed(core, todos);
  const start = performance.now();
  let done = 0;
  for (;;) {
    const claimed = claimTodos(core, { stakingKey: 'bench-worker', max: batch });
    if (claimed.length === 0) break;
    reportResults(core, { stakingKey: 'bench-worker' }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })));
    done += claimed.length;
  }
  const seconds = (performance.now() - start) / 1000;
  core.close();
  rmSync(dir, { recursive: true, force: true });
  return { mode: 'in-process', transport: '-', workers: 1, batch, todos: done, todosPerSecond: Math.round(done / seconds) };
}

type Loop = 'claim+report' | 'reportAndClaim';

/** `count` staked workers, each with its own key and WebSocket, connected and warmed up. */
async function connectWorkers(url: string, core: Core, count: number): Promise<WorkerClient[]> {
  const clients: WorkerClient[] = [];
  for (let i = 0; i < count; i++) {
    const keypair = generateKeypair();
    setStake(core, keypair.publicKeyBase58, core.auth.minStake);
    clients.push(createWorkerClient({ url, keypair, taskId: TASK_ID }));
  }
  await Promise.all(clients.map((c) => c.trpc.health.check.query()));
  return clients;
}

/**
 * The floor under one-todo-per-call throughput: a signed call that changes nothing but its nonce
 * (`workers.me`), through the same client, signature check and WebSocket path as a claim.
 */
async function benchSignedCalls(url: string, serverPid: number, core: Core, workers: number, calls: number): Promise<Row> {
  const clients = await connectWorkers(url, core, workers);
  const cpuBefore = processCpuSeconds(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  let started = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (started < calls) {
        started += 1;
        await client.workers.me();
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const serverCpu = processCpuSeconds(serverPid) - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  await Promise.all(clients.map((c) => c.close()));
  return {
    mode: 'signed call, no queue work (workers.me)',
    transport: 'WebSocket',
    workers,
    batch: 1,
    todos: started,
    todosPerSecond: Math.round(started / seconds),
    serverCpuUsPerTodo: Math.round((serverCpu / started) * 1e6),
    clientCpuUsPerTodo: Math.round((clientCpu.user + clientCpu.system) / started),
  };
}

/**
 * `workers` staked workers, each keeping `callsPerWorker` calls in flight on its one WebSocket.
 * 64 × 1 is 64 nodes; 1 × 64 is one node working 64 todos at once, which is what BullMQ's
 * "concurrency 64" means (one Worker, one Redis connection, 64 jobs in progress).
 */
async function benchWebSocket(url: string, serverPid: number, core: Core, workers: number, callsPerWorker: number, batch: number, todos: number, loop: Loop): Promise<Row> {
  const clients = await connectWorkers(url, core, workers);
  const loops = clients.flatMap((client) => Array.from({ length: callsPerWorker }, () => client));
  seed(core, todos);
  const cpuBefore = processCpuSeconds(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  let done = 0;
  const resultsOf = (claimed: { todoId: number; leaseToken: string }[]) => claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null }));
  await Promise.all(
    loops.map(async (client) => {
      if (loop === 'claim+report') {
        for (;;) {
          const claimed = await client.todos.claim({ max: batch });
          if (claimed.length === 0) return;
          await client.todos.reportResults({ results: resultsOf(claimed) });
          done += claimed.length;
        }
      }
      // One round trip per batch: report what is finished and claim the next batch.
      let held = await client.todos.claim({ max: batch });
      while (held.length > 0) {
        const { claimed } = await client.call('todos.reportAndClaim', { results: resultsOf(held), max: batch });
        done += held.length;
        held = claimed;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const serverCpu = processCpuSeconds(serverPid) - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  await Promise.all(clients.map((c) => c.close()));
  return {
    mode: `${loop}, ${batch === 1 ? 'one todo per call' : `batch ${batch}`}`,
    transport: 'WebSocket',
    workers,
    callsPerWorker,
    batch,
    todos: done,
    todosPerSecond: Math.round(done / seconds),
    serverCpuUsPerTodo: Math.round((serverCpu / done) * 1e6),
    clientCpuUsPerTodo: Math.round((clientCpu.user + clientCpu.system) / done),
  };
}

interface Config {
  key: string;
  loop: Loop | 'signed call';
  batch: number;
  workers: number;
  callsPerWorker: number;
  todos: number;
}

/** Median with its spread, over the interleaved repetitions of one configuration. */
interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const showNumber = (value: number, digits: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const shapeOf = (r: { workers: number; callsPerWorker?: number }) => `${r.workers} × ${r.callsPerWorker ?? 1}`;
const showSpread = (s: Spread, digits = 0) =>
  `${showNumber(s.median, digits)} (${showNumber(s.min, digits)}–${showNumber(s.max, digits)})`;

export async function runQueueBench() {
  const n = quick ? 2000 : 20000;
  const repsArg = process.argv.find((a) => a.startsWith('--reps='));
  const reps = repsArg ? Math.max(1, Number(repsArg.slice('--reps='.length))) : quick ? 1 : 3;
  const inProcess: Row[] = [benchInProcess(1, n), benchInProcess(32, n)];

  const configs: Config[] = [];
  const plan: [Loop, number, number[]][] = [
    ['claim+report', 1, [64]],
    ['reportAndClaim', 1, CONCURRENCY],
    ['claim+report', 32, CONCURRENCY],
    ['reportAndClaim', 32, CONCURRENCY],
  ];
  for (const [loop, batch, concurrencies] of plan) {
    for (const workers of concurrencies) {
      const todos = batch === 1 ? (workers === 1 ? n / 10 : workers === 4 ? n / 4 : n / 2) : n;
      configs.push({ key: `${loop}/${batch}/${workers}`, loop, batch, workers, callsPerWorker: 1, todos });
    }
  }
  // BullMQ's shape: one worker process with 16 or 64 calls in flight on its one connection.
  for (const [batch, calls] of [[1, 64], [32, 16], [32, 64]] as const) {
    configs.push({ key: `reportAndClaim/${batch}/1x${calls}`, loop: 'reportAndClaim', batch, workers: 1, callsPerWorker: calls, todos: batch === 1 ? n / 2 : n });
  }

  configs.push({ key: 'signed call/1/64', loop: 'signed call', batch: 1, workers: 64, callsPerWorker: 1, todos: n / 2 });

  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-bench-ws-'));
  // Rate limits off: the bench measures the queue, not the limiter's refusals.
  const server = await startChildServer(dir, {
    SWARMTASK_TASK_ID: TASK_ID,
    SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
    SWARMTASK_RATE_LIMIT_STAKING_KEY_PER_SECOND: '0',
    SWARMTASK_LEASE_MS: '600000',
  });
  const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: TASK_ID }), silentLogger());
  const redisServer = ensureRedisServer();
  const peers: Record<RedisPersistence, RedisInstance> | null = redisServer
    ? { rdb: await startRedis(redisServer, 'rdb'), aof: await startRedis(redisServer, 'aof') }
    : null;
  if (!peers) console.error('BullMQ peer skipped: redis-server could not be installed');

  // Repetitions are interleaved (rep 1 of every configuration, then rep 2, …), so a slow minute of
  // this shared VM spreads over all of them instead of sinking one.
  const runs = new Map<string, Row[]>();
  const peerRuns: Record<RedisPersistence, Map<16 | 64, number[]>> = { rdb: new Map(), aof: new Map() };
  const ratioRuns: Record<RedisPersistence, Map<string, number[]>> = { rdb: new Map(), aof: new Map() };
  try {
    // Untimed warm-up of both processes and of the peer. Measured here: a batch-32 run right after
    // 10,000 one-todo calls went 1.3–2× faster than the same run on a fresh server, and three
    // batch-32 runs in a row (1,900 calls) did not close the gap: the call path is hot only after
    // thousands of calls. Without it, rep 1's first configurations measure a cold server.
    console.error('  warm-up (not counted)…');
    await benchWebSocket(server.url, server.child.pid!, core, 64, 1, 1, n / 2, 'reportAndClaim');
    await benchWebSocket(server.url, server.child.pid!, core, 64, 1, 32, n, 'reportAndClaim');
    if (peers) for (const peer of Object.values(peers)) await runBullmq(peer.port, n, 64);
    const measurePeer = async (persistence: RedisPersistence, concurrency: 16 | 64, label: string) => {
      const { jobsPerSecond } = await runBullmq(peers![persistence].port, n, concurrency);
      peerRuns[persistence].set(concurrency, [...(peerRuns[persistence].get(concurrency) ?? []), jobsPerSecond]);
      console.error(`  ${label}: BullMQ (${persistence}) c${concurrency}: ${Math.round(jobsPerSecond)}/s`);
      return jobsPerSecond;
    };
    for (let rep = 1; rep <= reps; rep++) {
      for (const config of configs) {
        // This VM's speed drifts within minutes: a run compared with BullMQ is bracketed by BullMQ
        // runs right before and right after it (RDB, AOF | run | AOF, RDB), and divided by their mean.
        const pairedWith = peers ? PAIRED_WITH_BULLMQ[config.key] : undefined;
        const before = { rdb: 0, aof: 0 };
        if (pairedWith) for (const persistence of PERSISTENCES) before[persistence] = await measurePeer(persistence, pairedWith, `rep ${rep}/${reps}, before`);
        const row =
          config.loop === 'signed call'
            ? await benchSignedCalls(server.url, server.child.pid!, core, config.workers, config.todos)
            : await benchWebSocket(server.url, server.child.pid!, core, config.workers, config.callsPerWorker, config.batch, config.todos, config.loop);
        runs.set(config.key, [...(runs.get(config.key) ?? []), row]);
        console.error(`  rep ${rep}/${reps}: WS ${config.loop} batch ${config.batch} × ${shapeOf(config)}: ${row.todosPerSecond}/s`);
        if (pairedWith) {
          for (const persistence of [...PERSISTENCES].reverse()) {
            const after = await measurePeer(persistence, pairedWith, `rep ${rep}/${reps}, after`);
            const ratio = row.todosPerSecond / ((before[persistence] + after) / 2);
            ratioRuns[persistence].set(config.key, [...(ratioRuns[persistence].get(config.key) ?? []), ratio]);
          }
        }
      }
    }
  } finally {
    core.close();
    await server.stop();
    if (peers) for (const peer of Object.values(peers)) await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = configs.map((config) => {
    const all = runs.get(config.key)!;
    return {
      mode: all[0]!.mode,
      transport: 'WebSocket',
      workers: config.workers,
      callsPerWorker: config.callsPerWorker,
      batch: config.batch,
      todos: config.todos,
      todosPerSecond: spread(all.map((r) => r.todosPerSecond)),
      serverCpuUsPerTodo: spread(all.map((r) => r.serverCpuUsPerTodo!)),
      clientCpuUsPerTodo: spread(all.map((r) => r.clientCpuUsPerTodo!)),
    };
  });
  const peer = PERSISTENCES.flatMap((persistence) =>
    [...peerRuns[persistence]].sort(([a], [b]) => a - b).map(([concurrency, values]) => ({ persistence, concurrency, jobsPerSecond: spread(values) })),
  );
  const ratiosOf = (persistence: RedisPersistence) =>
    Object.fromEntries([...ratioRuns[persistence]].map(([key, values]) => [key, spread(values)]));
  const ratios = ratiosOf('rdb');
  const ratiosAof = ratiosOf('aof');
  const singleC64 = rows.find((r) => r.batch === 1 && r.workers === 64 && r.mode.startsWith('reportAndClaim'))!;
  const singleOneWorker64 = rows.find((r) => r.batch === 1 && r.workers === 1 && r.callsPerWorker === 64)!;

  printTable(`Queue throughput (claim + complete, no-op todos; synchronous=NORMAL): median (min–max) of ${reps} interleaved runs`, [
    ...inProcess.map((r) => ({ mode: r.mode, transport: r.transport, 'workers × calls': '1 × 1', batch: r.batch, 'todos/s': r.todosPerSecond, 'server µs/todo': '', 'client µs/todo': '' })),
    ...rows.map((r) => ({
      mode: r.mode,
      transport: r.transport,
      'workers × calls': shapeOf(r),
      batch: r.batch,
      'todos/s': showSpread(r.todosPerSecond),
      'server µs/todo': showSpread(r.serverCpuUsPerTodo),
      'client µs/todo': showSpread(r.clientCpuUsPerTodo),
    })),
    ...peer.map((p) => ({ mode: `BullMQ (Redis ${PERSISTENCE_LABEL[p.persistence]}), no-op jobs`, transport: 'Redis', 'workers × calls': `1 × ${p.concurrency}`, batch: 1, 'todos/s': showSpread(p.jobsPerSecond), 'server µs/todo': '', 'client µs/todo': '' })),
  ]);
  if (peer.length > 0) {
    const ratioRow = (what: string, key: string) => ({
      what,
      '÷ BullMQ, Redis default (RDB)': showSpread(ratios[key]!, 2),
      '÷ BullMQ, Redis AOF everysec': showSpread(ratiosAof[key]!, 2),
      target: '≥ 1.5',
    });
    printTable('Against BullMQ on the same machine: median (min–max) of per-run ratios, each run divided by the mean of the BullMQ runs just before and after it', [
      ratioRow('WS claim + report, batch 32, 16 workers ÷ BullMQ c16', 'claim+report/32/16'),
      ratioRow('WS claim + report, batch 32, 64 workers ÷ BullMQ c64', 'claim+report/32/64'),
      ratioRow('WS reportAndClaim, batch 32, 16 workers ÷ BullMQ c16', 'reportAndClaim/32/16'),
      ratioRow('WS reportAndClaim, batch 32, 64 workers ÷ BullMQ c64', 'reportAndClaim/32/64'),
      ratioRow('WS reportAndClaim, batch 32, 1 worker × 16 calls ÷ BullMQ c16', 'reportAndClaim/32/1x16'),
      ratioRow('WS reportAndClaim, batch 32, 1 worker × 64 calls ÷ BullMQ c64', 'reportAndClaim/32/1x64'),
    ]);
  }
  const signedFloor = rows.find((r) => r.mode.startsWith('signed call'))!;
  printTable('One todo per call', [
    { what: 'WS reportAndClaim, 64 workers, todos/s', measured: showSpread(singleC64.todosPerSecond), target: '≥ 5,000' },
    { what: 'WS reportAndClaim, 1 worker × 64 calls, todos/s', measured: showSpread(singleOneWorker64.todosPerSecond), target: '≥ 5,000' },
    { what: 'WS signed call with no queue work, 64 workers, calls/s (the floor)', measured: showSpread(signedFloor.todosPerSecond), target: '-' },
  ]);
  const file = writeResults('queue', {
    measuredAt: new Date().toISOString(),
    node: process.version,
    quick,
    reps,
    inProcess,
    rows,
    bullmq: peer,
    /** Against Redis's default persistence (RDB snapshots). */
    ratiosToBullmq: ratios,
    /** Against Redis with AOF synced every second: the coordinator's durability class. */
    ratiosToBullmqAof: ratiosAof,
  });
  console.log(`\nwrote ${file}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runQueueBench();
  process.exit(0);
}
