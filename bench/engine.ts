/**
 * Swarm engine overhead on the offline model:
 * - ConcurrentWorkflow, 10 agents, 200 ms simulated latency: wall ÷ 200 ms (1.00 = perfectly concurrent).
 * - SequentialWorkflow, 10 agents, 200 ms each: wall ÷ 2000 ms (1.00 = no overhead between steps).
 * - CPU per agent step (process.cpuUsage), zero latency, with and without event streaming; the
 *   offline model's own CPU (tokenizer, text) is measured separately and subtracted.
 * Run: npm run bench (or: node bin/run-ts.mjs bench/engine.ts [--quick])
 */
import { fileURLToPath } from 'node:url';
import type { SwarmSpecInput } from '../shared/swarm-spec.js';
import { createOfflineProvider, createProviderRegistry } from '../server/llm/index.js';
import { runSwarm, type SwarmEvent } from '../server/swarms/index.js';
import { printTable, writeResults } from './lib/report.js';

const quick = process.argv.includes('--quick');
const LATENCY_MS = 200;
const AGENTS = 10;

function spec(swarmType: 'ConcurrentWorkflow' | 'SequentialWorkflow', agents = AGENTS): SwarmSpecInput {
  return {
    name: `bench ${swarmType}`,
    agents: Array.from({ length: agents }, (_, i) => ({ agent_name: `Agent ${i + 1}`, model_name: 'gpt-4o', system_prompt: 'You are a benchmark agent.' })),
    task: 'Analyze market trends for AI and tech sectors',
    swarm_type: swarmType,
    return_history: true,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function wallRatio(swarmType: 'ConcurrentWorkflow' | 'SequentialWorkflow', idealMs: number, runs: number) {
  const offline = createOfflineProvider({ latencyMs: LATENCY_MS });
  const providers = createProviderRegistry({ modelMap: '*=offline', providers: { offline } });
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await runSwarm(spec(swarmType), { providers });
    walls.push(performance.now() - start);
    if (result.output.length !== AGENTS) throw new Error(`${swarmType}: expected ${AGENTS} answers, got ${result.output.length}`);
  }
  const wall = median(walls);
  return { swarm: swarmType, agents: AGENTS, latencyMs: LATENCY_MS, runs, wallMs: +wall.toFixed(1), idealMs, ratio: +(wall / idealMs).toFixed(3) };
}

async function cpuPerStep(streamEvents: boolean, runs: number) {
  const offline = createOfflineProvider();
  const providers = createProviderRegistry({ modelMap: '*=offline', providers: { offline } });
  let events = 0;
  const onEvent = streamEvents ? (_event: SwarmEvent) => void events++ : undefined;
  const warmup = Math.max(5, Math.floor(runs / 10));
  for (let i = 0; i < warmup; i++) await runSwarm(spec('ConcurrentWorkflow'), { providers, onEvent });
  const modelBefore = offline.stats.cpuMicros;
  events = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await runSwarm(spec('ConcurrentWorkflow'), { providers, onEvent });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - start;
  const steps = runs * AGENTS;
  const totalUs = (cpu.user + cpu.system) / steps;
  const modelUs = (offline.stats.cpuMicros - modelBefore) / steps;
  return {
    events: streamEvents ? 'streamed' : 'none',
    steps,
    eventsPerStep: +(events / steps).toFixed(1),
    totalCpuUsPerStep: +totalUs.toFixed(1),
    offlineModelCpuUsPerStep: +modelUs.toFixed(1),
    engineCpuUsPerStep: +(totalUs - modelUs).toFixed(1),
    stepsPerSecond: Math.round(steps / (wallMs / 1000)),
  };
}

export async function runEngineBench() {
  const runs = quick ? 3 : 7;
  const concurrent = await wallRatio('ConcurrentWorkflow', LATENCY_MS, runs);
  const sequential = await wallRatio('SequentialWorkflow', LATENCY_MS * AGENTS, runs);
  const cpuRuns = quick ? 50 : 300;
  const cpu = [await cpuPerStep(false, cpuRuns), await cpuPerStep(true, cpuRuns)];
  printTable('Swarm engine wall time on the offline model (median of runs; ratio 1.00 = ideal)', [concurrent, sequential]);
  printTable('Engine CPU per agent step (ConcurrentWorkflow of 10, zero latency; offline model CPU subtracted)', cpu);
  const file = writeResults('engine', { measuredAt: new Date().toISOString(), node: process.version, quick, wall: [concurrent, sequential], cpu });
  console.log(`\nwrote ${file}`);
  return { wall: [concurrent, sequential], cpu };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runEngineBench();
  process.exit(0);
}
