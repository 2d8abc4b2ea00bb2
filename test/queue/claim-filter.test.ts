import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimTodos, createTodo } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, type SwarmType } from '../../shared/swarm-spec.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';
import { expectTrpcError, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const T0 = Date.UTC(2030, 0, 1);
const TYPES = ['ConcurrentWorkflow', 'SequentialWorkflow', 'MajorityVoting'] as const;

interface TodoShape {
  reward: number;
  priority: number;
  /** undefined: the spec names none (it runs as SequentialWorkflow). */
  type: SwarmType | undefined;
}

function specOf(type: SwarmType | undefined) {
  const { swarm_type: _, ...rest } = EXAMPLE_SWARM_SPEC;
  return type === undefined ? rest : { ...rest, swarm_type: type };
}

const matches = (filter: ClaimFilter, todo: TodoShape) =>
  (filter.minReward === undefined || todo.reward >= filter.minReward) &&
  (filter.swarmTypes === undefined || filter.swarmTypes.includes(todo.type ?? 'SequentialWorkflow'));

describe('claims filtered by the node (minimum reward, swarm types)', () => {
  it('hand out exactly the matching todos, in claim order, and leave the rest to others', () => {
    const todoArb = fc.record({
      reward: fc.constantFrom(0, 100, 250, 400, 1000),
      priority: fc.integer({ min: -2, max: 2 }),
      type: fc.constantFrom<SwarmType | undefined>(...TYPES, undefined),
    });
    const filterArb = fc.record(
      { minReward: fc.constantFrom(0, 100, 251, 1000, 5000), swarmTypes: fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(todoArb, { maxLength: 25 }), filterArb, fc.integer({ min: 1, max: 30 }), (todos, filter, max) => {
        using core = openTestCore();
        const ids = todos.map((todo, i) => createTodo(core, todoInput({ reward: todo.reward, priority: todo.priority, spec: specOf(todo.type) }), T0 + i).todo.id);
        const shapeOf = new Map(ids.map((id, i) => [id, todos[i]!]));
        const claimOrder = [...ids].sort((a, b) => shapeOf.get(b)!.priority - shapeOf.get(a)!.priority || a - b);
        const expected = claimOrder.filter((id) => matches(filter, shapeOf.get(id)!)).slice(0, max);

        const claimed = claimTodos(core, { stakingKey: 'picky', max, filter }, T0 + 100);
        expect(claimed.map((c) => c.todoId)).toEqual(expected);
        expect(claimed.map((c) => c.reward)).toEqual(expected.map((id) => shapeOf.get(id)!.reward));
        // Everything else is still there for a node without a filter.
        const rest = claimTodos(core, { stakingKey: 'anyone', max: 100 }, T0 + 100).map((c) => c.todoId);
        expect(rest).toEqual(claimOrder.filter((id) => !expected.includes(id)));
      }),
      { numRuns: 40 },
    );
  });

  it('over the API: aliases are accepted, reportAndClaim filters too, and a bad filter names its field', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const hierarchical = createTodo(core, todoInput({ reward: 50, spec: { ...EXAMPLE_SWARM_SPEC, swarm_type: 'HierarchicalSwarm' } })).todo.id;
    const concurrent = createTodo(core, todoInput({ reward: 500 })).todo.id;
    const worker = t.workerClient(t.stakedWorker());

    await expectTrpcError(worker.todos.claim({ max: 5, swarmTypes: ['Swarmy'] }), { code: 'BAD_REQUEST', message: /swarmTypes\.0: unknown swarm type "Swarmy"/ });
    await expectTrpcError(worker.todos.claim({ max: 5, minReward: -1 }), { code: 'BAD_REQUEST', message: /minReward: / });
    await expectTrpcError(worker.todos.claim({ max: 5, swarmTypes: [] }), { code: 'BAD_REQUEST', message: /swarmTypes: / });

    const viaAlias = await worker.todos.claim({ max: 5, swarmTypes: ['HierarchicalSwarm'] });
    expect(viaAlias.map((c) => c.todoId)).toEqual([hierarchical]);
    const other = t.workerClient(t.stakedWorker());
    expect(await other.call('todos.reportAndClaim', { max: 5, minReward: 501 })).toEqual({ reported: [], claimed: [] });
    expect((await other.call('todos.reportAndClaim', { max: 5, minReward: 500 })).claimed.map((c) => c.todoId)).toEqual([concurrent]);
  });
});
