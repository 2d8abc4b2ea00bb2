import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { createTodo } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('smoke', () => {
  it('claims and completes a todo over WebSocket', async () => {
    await using t = await startTestCoordinator();
    const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
    const { todo } = createTodo(t.coordinator.core, { spec, priority: 0 });
    const client = t.workerClient(t.stakedWorker());
    const claimed = await client.todos.claim({ max: 5 });
    expect(claimed.map((c) => c.todoId)).toEqual([todo.id]);
    const outcome = await client.todos.reportResults({ results: [{ todoId: todo.id, leaseToken: claimed[0]!.leaseToken, result: { ok: 1 } }] });
    expect(outcome).toEqual([{ todoId: todo.id, ok: true }]);
  });
});
