import { statfsSync, statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { currentRound } from '../../server/rounds/round-views.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { startTestCoordinator, type TestCoordinator } from '../helpers/coordinator.js';

/** One sample of a scraped metric (labels as Prometheus prints them, e.g. `{state="staked"}`). */
async function sample(t: TestCoordinator, name: string, labels = ''): Promise<number> {
  const response = await fetch(`${t.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  if (line === undefined) throw new Error(`no sample ${name}${labels} in:\n${text.split('\n').filter((l) => l.startsWith('swarmtask_') && !l.startsWith('swarmtask_process') && !l.startsWith('swarmtask_nodejs')).join('\n')}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);

describe('/metrics', () => {
  it('reports what an operator alerts on: queue wait, workers, connections, rounds, activity', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    expect(await sample(t, 'swarmtask_oldest_claimable_todo_age_seconds')).toBe(0);
    expect(await sample(t, 'swarmtask_workers', '{state="registered"}')).toBe(0);
    expect(await sample(t, 'swarmtask_websocket_connections')).toBe(0);
    expect(await sample(t, 'swarmtask_round_last_tallied')).toBe(-1);
    expect(await sample(t, 'swarmtask_round_current')).toBe(currentRound(core).number);

    // A todo that became claimable a minute ago and one scheduled for later (which is not waiting).
    createTodo(core, { spec, priority: 0 }, Date.now() - 60_000);
    createTodo(core, { spec: SwarmSpecSchema.parse({ ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: '2099-01-01T00:00:00Z' } }), priority: 9 });
    expect(await sample(t, 'swarmtask_oldest_claimable_todo_age_seconds')).toBeGreaterThanOrEqual(60);
    expect(await sample(t, 'swarmtask_todos', '{status="initialized"}')).toBe(2);

    const keys = [t.stakedWorker(), t.stakedWorker()];
    const client = t.workerClient(keys[0]!);
    const [claimed] = await client.todos.claim({ max: 5 });
    expect(claimed).toBeDefined();
    // The only claimable todo is taken: nothing waits; the scheduled one is not counted.
    expect(await sample(t, 'swarmtask_oldest_claimable_todo_age_seconds')).toBe(0);
    expect(await sample(t, 'swarmtask_workers', '{state="registered"}')).toBe(2);
    expect(await sample(t, 'swarmtask_workers', '{state="staked"}')).toBe(2);
    expect(await sample(t, 'swarmtask_workers', '{state="active_10m"}')).toBe(2);
    expect(await sample(t, 'swarmtask_websocket_connections')).toBe(1);
    expect(await sample(t, 'swarmtask_last_event_id')).toBe(core.bus.latestId);
    await client.close();
    await vi.waitFor(async () => expect(await sample(t, 'swarmtask_websocket_connections')).toBe(0), { timeout: 10_000, interval: 50 });
  });

  it('reports the store\'s size and the disk room left, as status does', async () => {
    await using t = await startTestCoordinator();
    const file = t.coordinator.core.sqlite.name;
    createTodo(t.coordinator.core, { spec, priority: 0 });
    // The coordinator's own ticks may write meanwhile: the sample lies between the sizes around it.
    for (const [label, path] of [['db', file], ['wal', `${file}-wal`]] as const) {
      const before = statSync(path).size;
      const sampled = await sample(t, 'swarmtask_store_bytes', `{file="${label}"}`);
      expect(sampled).toBeGreaterThan(0);
      expect(sampled).toBeGreaterThanOrEqual(before);
      expect(sampled).toBeLessThanOrEqual(statSync(path).size);
    }
    const free = await sample(t, 'swarmtask_disk_free_bytes');
    const fs = statfsSync(t.dataDir);
    // Other processes write to this disk too: the free space of one moment, within a few MiB.
    expect(Math.abs(free - fs.bavail * fs.bsize)).toBeLessThan(64 * 1024 ** 2);
    expect(await sample(t, 'swarmtask_disk_low')).toBe(free < 1024 ** 3 ? 1 : 0);
  });
});
