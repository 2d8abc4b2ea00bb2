import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import type { WorkerEvent } from '../../client/worker/events.js';
import { createTodo } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers, type TestWorker } from './helpers.js';
import { specFor } from './swarm-specs.js';

describe("a claim the coordinator refuses with Retry-After", () => {
  it('holds the node\'s claims until the hint has passed (polls and announcements meanwhile claim nothing), then claims', async () => {
    await using t = await startTestCoordinator();
    const { sqlite } = t.coordinator.core;
    await using workers = testWorkers(t);
    // Each event with when it came and the hold the worker reported at that moment.
    const timed: { event: WorkerEvent; at: number; heldUntil: number | null }[] = [];
    let started: TestWorker | undefined;
    const w = (started = await workers.add({
      taskId: 'test-task',
      audit: false,
      statusPort: 0,
      onEvent: (event) => timed.push({ event, at: Date.now(), heldUntil: started?.worker.status().claimsHeldUntil ?? null }),
    }));
    await vi.waitFor(() => expect(w.worker.status().connected).toBe(true), { timeout: 10_000 });

    // Another process holds the store's write lock: the worker's next poll (every 200 ms) is
    // refused with STORE_BUSY and a 1 s hint.
    const other = new Database(sqlite.name);
    other.exec('BEGIN IMMEDIATE');
    sqlite.pragma('busy_timeout = 50');
    const refusal = await vi.waitFor(
      () => {
        const found = timed.find((e) => e.event.type === 'error' && e.event.stage === 'claim');
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 10_000 },
    );
    other.exec('ROLLBACK');
    other.close();
    expect((refusal.event as Extract<WorkerEvent, { type: 'error' }>).message).toMatch(/^STORE_BUSY: /);
    expect(refusal.heldUntil).toBeGreaterThan(refusal.at);

    // The store is free again and work is announced at once; polls keep coming every 200 ms.
    // A worker ignoring the hint would claim within a poll; this one waits it out.
    const todoId = createTodo(t.coordinator.core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id;
    const claimed = await vi.waitFor(
      () => {
        const found = timed.find((e) => e.event.type === 'claimed' && e.event.todoId === todoId);
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 15_000 },
    );
    expect(claimed.at).toBeGreaterThanOrEqual(refusal.heldUntil!);
    expect(timed.filter((e) => e.event.type === 'error' && e.event.stage === 'claim')).toHaveLength(1);
    expect(w.worker.status().claimsHeldUntil).toBeNull();
    expect(await (await fetch(`${w.worker.statusUrl}/metrics`)).text()).toContain('swarmtask_worker_claims_held 0\n');
  });
});
