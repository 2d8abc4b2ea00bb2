/**
 * Queue throughput: claim + complete of no-op todos, in-process and through the real worker
 * client over WebSocket against a coordinator running as its own process, one todo per call and
 * batches of 32, with 1, 4, 16 and 64 concurrent workers; BullMQ on Redis as the peer baseline.
 * Run: npm run bench (or: node bin/run-ts.mjs bench/queue.ts [--quick])
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
import { ensureRedisServer, runBullmq, startRedis } from './lib/bullmq-peer.js';
import { processCpuSeconds, startChildServer } from './lib/child-server.js';
import { printTable, writeResults } from './lib/report.js';

const TASK_ID = 'bench';
const quick = process.argv.includes('--quick');
const CONCURRENCY = [1, 4, 16, 64];
const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);

interface Row {
  mode: string;
  transport: string;
  workers: number;
  batch: number;
  todos: number;
  todosPerSecond: number;
  serverCpuUsPerTodo?: number;
  clientCpuUsPerTodo?: number;
}

function seed(core: Core, count: number): void {
  core.sqlite.transaction(() => {
    for (let i = 0; i < count; i++) createTodo(core, { spec, priority: 0 });
  })();
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

async function benchWebSocket(url: string, serverPid: number, core: Core, workers: number, batch: number, todos: number, loop: Loop): Promise<Row> {
  const clients: WorkerClient[] = [];
  for (let i = 0; i < workers; i++) {
    const keypair = generateKeypair();
    setStake(core, keypair.publicKeyBase58, core.auth.minStake);
    clients.push(createWorkerClient({ url, keypair, taskId: TASK_ID }));
  }
  await Promise.all(clients.map((c) => c.trpc.health.check.query())); // connect and warm up
  seed(core, todos);
  const cpuBefore = processCpuSeconds(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  let done = 0;
  const resultsOf = (claimed: { todoId: number; leaseToken: string }[]) => claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null }));
  await Promise.all(
    clients.map(async (client) => {
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
    batch,
    todos: done,
    todosPerSecond: Math.round(done / seconds),
    serverCpuUsPerTodo: Math.round((serverCpu / done) * 1e6),
    clientCpuUsPerTodo: Math.round((clientCpu.user + clientCpu.system) / done),
  };
}

export async function runQueueBench() {
  const rows: Row[] = [];
  const n = quick ? 2000 : 20000;
  rows.push(benchInProcess(1, n), benchInProcess(32, n));

  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-bench-ws-'));
  // Rate limits off: the bench measures the queue, not the limiter's refusals.
  const server = await startChildServer(dir, {
    SWARMTASK_TASK_ID: TASK_ID,
    SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
    SWARMTASK_RATE_LIMIT_STAKING_KEY_PER_SECOND: '0',
    SWARMTASK_LEASE_MS: '600000',
  });
  const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: TASK_ID }), silentLogger());
  try {
    const plan: [Loop, number, number[]][] = [
      ['claim+report', 1, [64]],
      ['reportAndClaim', 1, CONCURRENCY],
      ['claim+report', 32, CONCURRENCY],
      ['reportAndClaim', 32, CONCURRENCY],
    ];
    for (const [loop, batch, concurrencies] of plan) {
      for (const workers of concurrencies) {
        const todos = batch === 1 ? (workers === 1 ? n / 10 : n / 4) : n;
        rows.push(await benchWebSocket(server.url, server.child.pid!, core, workers, batch, todos, loop));
        console.error(`  done: WS ${loop} batch ${batch} × ${workers} workers`);
      }
    }
  } finally {
    core.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const peer: Record<string, number> = {};
  const redisServer = ensureRedisServer();
  if (redisServer) {
    const redis = await startRedis(redisServer);
    try {
      for (const concurrency of [16, 64]) {
        const { jobsPerSecond } = await runBullmq(redis.port, n, concurrency);
        peer[`c${concurrency}`] = Math.round(jobsPerSecond);
        rows.push({ mode: 'BullMQ (Redis)', transport: 'Redis', workers: concurrency, batch: 1, todos: n, todosPerSecond: Math.round(jobsPerSecond) });
      }
    } finally {
      await redis.stop();
    }
  } else {
    console.error('BullMQ peer skipped: redis-server could not be installed');
  }

  const ws = (workers: number, batch: number, loop: Loop = 'claim+report') =>
    rows.find((r) => r.transport === 'WebSocket' && r.workers === workers && r.batch === batch && r.mode.startsWith(loop))?.todosPerSecond ?? 0;
  const ratios = peer.c16
    ? {
        batch32_c16_vs_bullmq_c16: +(ws(16, 32) / peer.c16).toFixed(2),
        batch32_c64_vs_bullmq_c64: +(ws(64, 32) / (peer.c64 ?? peer.c16)).toFixed(2),
        reportAndClaim32_c16_vs_bullmq_c16: +(ws(16, 32, 'reportAndClaim') / peer.c16).toFixed(2),
        reportAndClaim32_c64_vs_bullmq_c64: +(ws(64, 32, 'reportAndClaim') / (peer.c64 ?? peer.c16)).toFixed(2),
      }
    : {};
  printTable('Queue throughput (claim + complete, no-op todos; synchronous=NORMAL)', rows.map((r) => ({ ...r, serverCpuUsPerTodo: r.serverCpuUsPerTodo ?? '', clientCpuUsPerTodo: r.clientCpuUsPerTodo ?? '' })));
  if (peer.c16) {
    printTable('Against BullMQ on the same machine', [
      { what: 'WS batch 32, 16 workers ÷ BullMQ c16', ratio: ratios.batch32_c16_vs_bullmq_c16 ?? 0, target: '≥ 1.5' },
      { what: 'WS batch 32, 64 workers ÷ BullMQ c64', ratio: ratios.batch32_c64_vs_bullmq_c64 ?? 0, target: '≥ 1.5' },
      { what: 'WS reportAndClaim batch 32, 16 workers ÷ BullMQ c16', ratio: ratios.reportAndClaim32_c16_vs_bullmq_c16 ?? 0, target: '≥ 1.5' },
      { what: 'WS reportAndClaim batch 32, 64 workers ÷ BullMQ c64', ratio: ratios.reportAndClaim32_c64_vs_bullmq_c64 ?? 0, target: '≥ 1.5' },
      { what: 'WS one todo per call (reportAndClaim), 64 workers, todos/s', ratio: ws(64, 1, 'reportAndClaim'), target: '≥ 5000' },
      { what: 'WS one todo per call (claim + report), 64 workers, todos/s', ratio: ws(64, 1), target: '-' },
    ]);
  }
  const file = writeResults('queue', { measuredAt: new Date().toISOString(), node: process.version, quick, rows, bullmq: peer, ratios });
  console.log(`\nwrote ${file}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runQueueBench();
  process.exit(0);
}
