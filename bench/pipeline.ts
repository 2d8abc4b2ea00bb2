/**
 * The whole loop: todos per second from enqueue until every submission's audits are cast
 * (claim → offline swarm → IPFS proof → submit → audits in the next round), with 3 and 8 workers,
 * and the share of CPU time spent outside the model calls. The coordinator runs as its own
 * process; the workers run in this one. Run: node bin/run-ts.mjs bench/pipeline.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createWorker } from '../client/worker/worker.js';
import { DEMO_WORK } from '../client/cli/demo-work.js';
import { generateKeypair } from '../shared/keypair.js';
import { SwarmSpecSchema } from '../shared/swarm-spec.js';
import type { AppRouter } from '../server/routers/_app.js';
import { createApiKey } from '../server/auth/api-keys.js';
import { setStake } from '../server/auth/workers.js';
import { loadServerConfig } from '../server/config.js';
import { createOfflineProvider, createProviderRegistry, type LlmProvider } from '../server/llm/index.js';
import { silentLogger } from '../server/logger.js';
import { openCore } from '../server/open-core.js';
import { processCpuSeconds, startChildServer } from './lib/child-server.js';
import { printTable, writeResults } from './lib/report.js';

const quick = process.argv.includes('--quick');
const TASK_ID = 'pipeline-bench';

/** The offline model, timed: every call's wall time is added to `modelMs`. */
function timedOffline(counter: { modelMs: number; calls: number }): LlmProvider {
  const inner = createOfflineProvider();
  const time = async <T>(run: () => Promise<T>) => {
    const start = performance.now();
    try {
      return await run();
    } finally {
      counter.modelMs += performance.now() - start;
      counter.calls += 1;
    }
  };
  return { ...inner, chat: (req, opts) => time(() => inner.chat(req, opts)), stream: (req, opts) => time(() => inner.stream(req, opts)) };
}

async function runPipeline(workers: number, todos: number) {
  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-pipeline-'));
  const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: TASK_ID }), silentLogger());
  const { key } = createApiKey(core, 'bench');
  const keypairs = Array.from({ length: workers }, () => generateKeypair());
  for (const kp of keypairs) setStake(core, kp.publicKeyBase58, core.auth.minStake);
  core.close();

  const server = await startChildServer(dir, {
    SWARMTASK_TASK_ID: TASK_ID,
    SWARMTASK_ROUND_MS: '1000',
    SWARMTASK_SWEEP_INTERVAL_MS: '100',
    SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
    SWARMTASK_RATE_LIMIT_STAKING_KEY_PER_SECOND: '0',
    SWARMTASK_RATE_LIMIT_API_KEY_PER_SECOND: '0',
  });
  const counter = { modelMs: 0, calls: 0 };
  const providers = createProviderRegistry({ modelMap: '*=offline', providers: { offline: timedOffline(counter) } });
  const running = keypairs.map((keypair, i) =>
    createWorker({ serverUrl: server.url, keypair, taskId: TASK_ID, concurrency: 4, dataDir: join(dir, `w${i}`), providers, pollIntervalMs: 200, auditPollMs: 200 }),
  );
  await Promise.all(running.map((w) => w.start()));
  const admin = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, headers: { 'x-api-key': key } })] });

  const cpuStart = process.cpuUsage();
  const serverCpuStart = processCpuSeconds(server.child.pid!);
  const start = performance.now();
  for (let i = 0; i < todos; i++) await admin.todos.create.mutate({ spec: SwarmSpecSchema.parse(DEMO_WORK[i % DEMO_WORK.length]) });
  const quorum = Math.min(3, workers - 1);
  let votes = 0;
  for (;;) {
    const current = (await admin.rounds.current.query()).number;
    const subs = [];
    for (let n = current; n >= current - 30 && n >= 0; n--) subs.push(...(await admin.rounds.get.query({ number: n })).submissions);
    votes = subs.reduce((sum, s) => sum + s.votes.filter((v) => v.status === 'voted').length, 0);
    const complete = subs.filter((s) => s.votes.filter((v) => v.status === 'voted').length >= quorum).length;
    if (complete >= todos) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const workerCpuMs = (cpu.user + cpu.system) / 1000;
  const serverCpuMs = (processCpuSeconds(server.child.pid!) - serverCpuStart) * 1000;
  await Promise.all(running.map((w) => w.stop({ graceMs: 0 })));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const totalCpuMs = workerCpuMs + serverCpuMs;
  return {
    workers,
    todos,
    auditsPerSubmission: quorum,
    votes,
    seconds: +seconds.toFixed(2),
    todosPerSecond: +(todos / seconds).toFixed(1),
    modelCalls: counter.calls,
    modelMs: Math.round(counter.modelMs),
    cpuMs: Math.round(totalCpuMs),
    shareOutsideModel: +(1 - Math.min(counter.modelMs, totalCpuMs) / totalCpuMs).toFixed(2),
  };
}

export async function runPipelineBench() {
  const todos = quick ? 24 : 120;
  const rows = [];
  for (const workers of [3, 8]) {
    rows.push(await runPipeline(workers, todos));
    console.error(`  done: pipeline with ${workers} workers`);
  }
  printTable('Whole loop on the offline model (enqueue → swarm → IPFS → submit → audits cast; 1 s rounds)', rows);
  const file = writeResults('pipeline', { measuredAt: new Date().toISOString(), node: process.version, quick, rows });
  console.log(`\nwrote ${file}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runPipelineBench();
  process.exit(0);
}
