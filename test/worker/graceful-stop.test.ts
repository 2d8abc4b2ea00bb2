import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { createProviderRegistry } from '../../server/swarms/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

/** An offline model that takes `latencyMs` per call (aborts cut it short). */
const slowModels = (latencyMs: number) => createProviderRegistry({ env: {}, modelMap: '*=offline', offline: { latencyMs } });

describe('graceful stop', () => {
  it('stops claiming and releases work that cannot finish in time; /health shows the leases', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    const w = await workers.add({ taskId: 'test-task', concurrency: 2, audit: false, providers: slowModels(10 * 60_000), statusPort: 0 });
    const ids = [1, 2, 3].map(() => createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id);

    await vi.waitFor(() => expect(w.worker.status().leasesHeld).toBe(2), { timeout: 10_000, interval: 50 });
    const health = (await (await fetch(`${w.worker.statusUrl}/health`)).json()) as Record<string, unknown>;
    expect(health).toEqual({ connected: true, leasesHeld: 2, pendingSubmissions: 0, lastError: null, awaitingStake: null, refusal: null, claimsPausedSince: null, spendPausedUntil: null, claimsHeldUntil: null });
    expect((await fetch(`${w.worker.statusUrl}/other`)).status).toBe(404);
    const held = w.worker.status().running.sort();

    await w.worker.stop({ graceMs: 0 });
    expect(w.eventsOf('released').flatMap((e) => e.todoIds).sort()).toEqual(held);
    for (const id of held) {
      // Back in the queue at once, the attempt refunded, nobody holding it.
      expect(getTodo(core, id)).toMatchObject({ status: 'initialized', attempts: 0, holderKey: null });
    }
    const untouched = ids.filter((id) => !held.includes(id));
    expect(untouched).toHaveLength(1);
    expect(getTodo(core, untouched[0]!)).toMatchObject({ status: 'initialized', attempts: 0 });
    expect(w.eventsOf('failed')).toEqual([]);
    expect(w.worker.status()).toMatchObject({ state: 'stopped', leasesHeld: 0, connected: false });
    // The status port is closed with the worker.
    await expect(fetch(`${w.worker.statusUrl ?? 'http://127.0.0.1:1'}/health`)).rejects.toThrow();

    // Another worker takes the released todos straight away.
    const next = await workers.add({ taskId: 'test-task', concurrency: 3, audit: false });
    await vi.waitFor(() => expect(next.eventsOf('submitted').map((e) => e.todoId).sort()).toEqual([...ids].sort()), { timeout: 20_000, interval: 50 });
  });

  it('lets running work finish within the grace period and submits it', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    const w = await workers.add({ taskId: 'test-task', audit: false, providers: slowModels(300) });
    const id = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id;
    await vi.waitFor(() => expect(w.eventsOf('claimed')).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const second = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id;

    await w.worker.stop({ graceMs: 60_000 });
    expect(w.eventsOf('released')).toEqual([]);
    expect(w.eventsOf('submitted')).toMatchObject([{ todoId: id }]);
    expect(getTodo(core, id).status).toBe('in_review');
    expect(w.eventsOf('stopped')).toEqual([{ type: 'stopped', pendingSubmissions: 0 }]);
    // Once stopping, nothing new was claimed.
    expect(getTodo(core, second)).toMatchObject({ status: 'initialized', attempts: 0 });
  });
});
