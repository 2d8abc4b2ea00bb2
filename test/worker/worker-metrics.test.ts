import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

/** The scraped samples of a worker's /metrics, as `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith('swarmtask_worker_')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe("a worker's /metrics", () => {
  it('counts what it did (events by type, tokens, run times) and shows its health as gauges', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    const node = await workers.add({ taskId: 'test-task', audit: false, statusPort: 0 });
    await vi.waitFor(() => expect(node.eventsOf('connected')).toHaveLength(1), { timeout: 10_000 });
    const before = await scrape(node.worker.statusUrl!);
    // Counters exist at zero before anything happens, so rates and alerts work from the start.
    expect(before.get('swarmtask_worker_events_total{type="claimed"}')).toBe(0);
    expect(before.get('swarmtask_worker_connected')).toBe(1);
    expect(before.get('swarmtask_worker_awaiting_stake')).toBe(0);

    const ids = [1, 2].map(() => createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id);
    await vi.waitFor(() => expect(node.eventsOf('submitted')).toHaveLength(2), { timeout: 20_000, interval: 50 });
    for (const id of ids) expect(getTodo(core, id).status).not.toBe('initialized');

    const after = await scrape(node.worker.statusUrl!);
    for (const type of ['claimed', 'ran', 'submitted'] as const) {
      expect(after.get(`swarmtask_worker_events_total{type="${type}"}`), type).toBe(node.eventsOf(type).length);
    }
    expect(after.get('swarmtask_worker_events_total{type="failed"}')).toBe(0);
    const ran = node.eventsOf('ran');
    expect(after.get('swarmtask_worker_tokens_total{direction="input"}')).toBe(ran.reduce((sum, e) => sum + e.inputTokens, 0));
    expect(after.get('swarmtask_worker_tokens_total{direction="output"}')).toBeGreaterThan(0);
    expect(after.get('swarmtask_worker_swarm_run_seconds_count')).toBe(2);
    expect(after.get('swarmtask_worker_leases_held')).toBe(0);
    expect(after.get('swarmtask_worker_pending_submissions')).toBe(0);
    // Process metrics come with it, under the worker's prefix.
    expect(after.get('swarmtask_worker_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
