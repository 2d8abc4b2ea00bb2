import { describe, expect, it, vi } from 'vitest';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { createProviderRegistry } from '../../server/swarms/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

describe("a worker's budget per todo", () => {
  it('stops a todo whose run crosses a limit, reports it failed with the reason, and leaves it to a node that spends more', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    const frugal = await workers.add({ taskId: 'test-task', audit: false, budget: { maxTokens: 20, maxCostUsd: 0.5 } });
    expect(describeWorkerEvent(frugal.eventsOf('started')[0]!)).toMatch(/; per todo at most 20 tokens, \$0\.50$/);

    // What a run will use in tokens is not known before it starts: this one stops after its first call.
    const todoId = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0, maxAttempts: 3 }).todo.id;
    await vi.waitFor(() => expect(frugal.eventsOf('failed')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    const failed = frugal.eventsOf('failed')[0]!;
    expect(failed).toMatchObject({ todoId, reported: true });
    expect(failed.error).toMatch(/^over this node's budget per todo: \d+ tokens used, the limit is 20$/);
    expect(frugal.eventsOf('stored')).toEqual([]);
    expect(getTodo(core, todoId)).toMatchObject({ status: 'initialized', attempts: 1, lastError: failed.error });

    const generous = await workers.add({ taskId: 'test-task', audit: false });
    await vi.waitFor(() => expect(generous.eventsOf('submitted').map((e) => e.todoId)).toEqual([todoId]), { timeout: 20_000, interval: 50 });
    expect(generous.eventsOf('ran')[0]).toMatchObject({ todoId, messages: 3, status: 'success' });
    expect(frugal.eventsOf('claimed').map((e) => e.todoId)).toEqual([todoId]); // never handed to the frugal node again
  });

  it('declines, before spending anything, a todo that needs more calls than it allows or a model it cannot run; the attempt is refunded', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    // Three agents in sequence, one loop: no run of it makes fewer than three calls.
    const tooBig = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 1, maxAttempts: 1 }).todo.id;
    const small = await workers.add({ taskId: 'test-task', audit: false, budget: { maxCalls: 2 } });
    await vi.waitFor(() => expect(small.eventsOf('declined')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    const reason = 'needs at least 3 model calls, this node allows 2 per todo';
    expect(small.eventsOf('declined')).toEqual([{ type: 'declined', todoId: tooBig, reason }]);
    expect(describeWorkerEvent(small.eventsOf('declined')[0]!)).toBe(`todo ${tooBig} declined, nothing spent: ${reason} (back in the queue for another node)`);
    expect(small.eventsOf('ran')).toEqual([]);
    expect(getTodo(core, tooBig)).toMatchObject({ status: 'initialized', attempts: 0, lastError: `declined by ${small.keypair.publicKeyBase58.slice(0, 8)}…: ${reason}` });

    // A node whose model map sends every model to OpenAI, without a key.
    const keyless = await workers.add({ taskId: 'test-task', audit: false, providers: createProviderRegistry({ env: {}, modelMap: '*=openai/gpt-4o' }) });
    await vi.waitFor(() => expect(keyless.eventsOf('declined')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    expect(keyless.eventsOf('declined')[0]).toMatchObject({ todoId: tooBig, reason: expect.stringMatching(/^cannot run model "gpt-4o" of agent "Analyst" here: .*OPENAI_API_KEY/) });
    expect(getTodo(core, tooBig)).toMatchObject({ status: 'initialized', attempts: 0 });

    // Its one attempt is still there for a node that can do it.
    const able = await workers.add({ taskId: 'test-task', audit: false });
    await vi.waitFor(() => expect(able.eventsOf('submitted').map((e) => e.todoId)).toEqual([tooBig]), { timeout: 20_000, interval: 50 });
    expect(small.eventsOf('claimed').map((e) => e.todoId)).toEqual([tooBig]);
  });
});
