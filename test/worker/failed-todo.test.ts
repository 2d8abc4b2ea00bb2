import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { createProviderRegistry } from '../../server/swarms/index.js';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

describe('a swarm that fails', () => {
  it('is reported, and the worker says whether the todo went back to the queue or that was its last attempt', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    // Every model "runs" on an Ollama that is not there: each call is refused.
    const unreachable = createProviderRegistry({ env: { OLLAMA_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1` }, modelMap: '*=ollama/llama3.1' });
    const w = await workers.add({ taskId: 'test-task', audit: false, providers: unreachable });
    const again = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 9, maxAttempts: 3 }).todo.id;
    const last = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0, maxAttempts: 1 }).todo.id;

    await vi.waitFor(() => expect(w.eventsOf('failed').map((e) => e.todoId)).toEqual(expect.arrayContaining([again, last])), { timeout: 30_000 });
    const byTodo = new Map(w.eventsOf('failed').map((e) => [e.todoId, e]));
    expect(byTodo.get(again)).toMatchObject({ reported: true });
    expect(byTodo.get(again)!.lastAttempt).toBeUndefined();
    expect(byTodo.get(last)).toMatchObject({ reported: true, lastAttempt: true });
    expect(getTodo(core, last)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(getTodo(core, again)).toMatchObject({ status: 'initialized', attempts: 1 });
  });
});
