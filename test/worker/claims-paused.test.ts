import { describe, expect, it, vi } from 'vitest';
import { PauseWatch } from '../../client/worker/pause-watch.js';
import type { WorkerEvent } from '../../client/worker/events.js';
import { createTodo, pauseClaims, resumeClaims } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

describe('a worker whose coordinator paused claims', () => {
  it('says so once, shows it on /health and /metrics, and says when work comes again', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    pauseClaims(core, 'maintenance');
    createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 });
    await using workers = testWorkers(t);
    const w = await workers.add({ taskId: 'test-task', audit: false, statusPort: 0 });
    await vi.waitFor(() => expect(w.eventsOf('claims_paused')).toHaveLength(1), { timeout: 10_000 });
    const health = (await (await fetch(`${w.worker.statusUrl}/health`)).json()) as { claimsPausedSince: number | null; leasesHeld: number };
    expect(health).toMatchObject({ claimsPausedSince: w.eventsOf('claims_paused')[0]!.since, leasesHeld: 0 });
    expect(await (await fetch(`${w.worker.statusUrl}/metrics`)).text()).toContain('swarmtask_worker_claims_paused 1\n');

    resumeClaims(core);
    // The next poll gets the todo: work again.
    await vi.waitFor(() => expect(w.eventsOf('claims_resumed')).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(w.eventsOf('claimed')).toHaveLength(1), { timeout: 10_000 });
    expect(((await (await fetch(`${w.worker.statusUrl}/health`)).json()) as { claimsPausedSince: number | null }).claimsPausedSince).toBeNull();
    expect(w.eventsOf('claims_paused')).toHaveLength(1);
  });

  it('asks at most every 15 s, and says nothing when the health check fails', async () => {
    let now = 0;
    let calls = 0;
    let answer: () => Promise<{ taskId: string; minStake: number; claimsPausedSince?: number | null }> = async () => ({ taskId: 't', minStake: 1, claimsPausedSince: 500 });
    const events: WorkerEvent[] = [];
    const watch = new PauseWatch({ coordinatorInfo: () => (calls++, answer()) }, (e) => events.push(e), () => now);
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    watch.afterClaim(0);
    await settle();
    watch.afterClaim(0);
    now = 14_999;
    watch.afterClaim(0);
    await settle();
    expect(calls).toBe(1);
    expect(events).toEqual([{ type: 'claims_paused', since: 500 }]);
    answer = async () => {
      throw new Error('coordinator unreachable');
    };
    now = 15_000;
    watch.afterClaim(0);
    await settle();
    expect(calls).toBe(2);
    expect(watch.since).toBe(500); // unknown is not "resumed"
    // An older coordinator says nothing about pauses: not paused.
    answer = async () => ({ taskId: 't', minStake: 1 });
    now = 30_000;
    watch.afterClaim(0);
    await settle();
    expect(events).toEqual([{ type: 'claims_paused', since: 500 }, { type: 'claims_resumed' }]);
    watch.afterClaim(3);
    expect(events).toHaveLength(2);

    // A "paused" answer that arrives after a claim got work is stale: not believed.
    let reply!: (info: { taskId: string; minStake: number; claimsPausedSince: number }) => void;
    answer = () => new Promise((resolve) => (reply = resolve));
    now = 45_000;
    watch.afterClaim(0);
    watch.afterClaim(2);
    reply({ taskId: 't', minStake: 1, claimsPausedSince: 40_000 });
    await settle();
    expect(watch.since).toBeNull();
    expect(events).toHaveLength(2);
  });
});
