import { describe, expect, it, vi } from 'vitest';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

describe("a worker's budget per todo", () => {
  it('stops a todo that would cost more, reports it failed with the reason, and leaves it to a node that spends more', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    const frugal = await workers.add({ taskId: 'test-task', audit: false, budget: { maxCalls: 2, maxCostUsd: 0.5 } });
    expect(describeWorkerEvent(frugal.eventsOf('started')[0]!)).toMatch(/; per todo at most 2 model calls, \$0\.50$/);

    // Three agents, one loop: three model calls.
    const todoId = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0, maxAttempts: 3 }).todo.id;
    await vi.waitFor(() => expect(frugal.eventsOf('failed')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    const reason = "over this node's budget per todo: 2 model calls made, the limit is 2";
    expect(frugal.eventsOf('failed')[0]).toMatchObject({ todoId, error: reason, reported: true });
    expect(frugal.eventsOf('stored')).toEqual([]);
    expect(getTodo(core, todoId)).toMatchObject({ status: 'initialized', attempts: 1, lastError: reason });

    const generous = await workers.add({ taskId: 'test-task', audit: false });
    await vi.waitFor(() => expect(generous.eventsOf('submitted').map((e) => e.todoId)).toEqual([todoId]), { timeout: 20_000, interval: 50 });
    expect(generous.eventsOf('ran')[0]).toMatchObject({ todoId, messages: 3, status: 'success' });
    expect(frugal.eventsOf('claimed').map((e) => e.todoId)).toEqual([todoId]); // never handed to the frugal node again
  });
});
