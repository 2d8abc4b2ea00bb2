import { describe, expect, it } from 'vitest';
import { claimTodos, createTodo, reportFailures, sweepQueue, todoHistory } from '../../server/queue/index.js';
import { openTestCore, todoInput } from '../helpers/api.js';

describe('a todo\'s claim history', () => {
  it('lists each claim in order with how it ended, never the lease token; an unknown todo is NOT_FOUND', () => {
    using core = openTestCore();
    const id = createTodo(core, todoInput(), 0).todo.id;
    const [first] = claimTodos(core, { stakingKey: 'worker-a', githubUsername: 'alice', max: 1, leaseMs: 1000 }, 10);
    reportFailures(core, { stakingKey: 'worker-a' }, [{ todoId: id, leaseToken: first!.leaseToken, error: 'model timed out' }], 4_010);
    claimTodos(core, { stakingKey: 'worker-b', max: 1, leaseMs: 1000 }, 5_000);
    sweepQueue(core, 7_000); // worker-b's lease ran out
    claimTodos(core, { stakingKey: 'worker-c', max: 1, leaseMs: 60_000 }, 8_000);

    const history = todoHistory(core, id);
    expect(history.map((a) => [a.stakingKey, a.githubUsername, a.claimedAt, a.outcome, a.endedAt, a.error])).toEqual([
      ['worker-a', 'alice', 10, 'failed', 4_010, 'model timed out'],
      ['worker-b', null, 5_000, 'expired', 7_000, 'lease expired'],
      ['worker-c', null, 8_000, 'active', null, null],
    ]);
    expect(JSON.stringify(history)).not.toContain(first!.leaseToken);
    expect(() => todoHistory(core, 999)).toThrow(expect.objectContaining({ reason: 'TODO_NOT_FOUND' }));
  });
});
