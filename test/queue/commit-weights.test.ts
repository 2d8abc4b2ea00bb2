import { describe, expect, it, vi } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

// The group commit splits one worker's long burst by these weights (server/db/group-commit.ts),
// so each signed queue call must pass the todos it touches and the worker's staking key.
describe('signed queue calls tell the group commit their weight and who sent them', () => {
  it('claim weighs its max, reportAndClaim its results plus max, heartbeat and report their leases', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    for (let i = 0; i < 3; i++) createTodo(core, todoInput());
    const keypair = t.stakedWorker();
    const worker = t.workerClient(keypair);
    const runs = vi.spyOn(core.writer, 'run');
    const recorded = () => runs.mock.calls.map(([, weight, source]) => ({ weight, source }));
    const by = keypair.publicKeyBase58;

    const claimed = await worker.todos.claim({ max: 2 });
    const leases = claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken }));
    await worker.todos.heartbeat({ leases });
    const { claimed: next } = await worker.call('todos.reportAndClaim', { results: leases.map((l) => ({ ...l, result: null })), max: 5 });
    await worker.todos.reportResults({ results: next.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })) });

    expect(recorded()).toEqual([
      { weight: 2, source: by },
      { weight: 2, source: by },
      { weight: 7, source: by },
      { weight: 1, source: by },
    ]);
    runs.mockRestore();
  });
});
