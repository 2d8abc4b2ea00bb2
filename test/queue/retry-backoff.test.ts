import { describe, expect, it } from 'vitest';
import type { Core } from '../../server/core.js';
import { claimTodos, createTodo, declineLeases, getTodo, releaseLeases, reportFailures, sweepQueue } from '../../server/queue/index.js';
import { describeTodo } from '../../client/cli/todo-view.js';
import { readEventsAfter } from '../../server/events/read-events.js';
import { describeEvent } from '../../client/cli/progress.js';
import { maxEventId, openTestCore, todoInput, todoRow } from '../helpers/api.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** Claims the todo as `key` at `at`, reports a failure at the same time, and says when it is claimable again. */
function failOnce(core: Core, key: string, at: number): void {
  const [claim] = claimTodos(core, { stakingKey: key, max: 1 }, at);
  expect(claim, `${key} claims at ${at - T0}`).toBeDefined();
  reportFailures(core, { stakingKey: key }, [{ todoId: claim!.todoId, leaseToken: claim!.leaseToken, error: 'HTTP 429 rate limited' }], at);
}

describe('back-off after reported failures', () => {
  it('waits base·2^(attempt−1), capped, before the next claim; announced when due, not before', () => {
    using core = openTestCore({ retryDelayMs: 1000, retryDelayMaxMs: 3000, maxAttempts: 5 });
    const id = createTodo(core, todoInput(), T0).todo.id;

    const before = maxEventId(core);
    failOnce(core, 'node-1', T0);
    expect(todoRow(core, id)).toMatchObject({ status: 'initialized', available_at: T0 + 1000, announced: 0, attempts: 1 });
    const events = readEventsAfter(core.sqlite, before, 1000).filter((e) => e.type !== 'todo.claimed');
    expect(events.map((e) => e.type)).toEqual(['todo.failed_attempt']); // no todo.available yet
    expect(events[0]!.data).toMatchObject({ error: 'HTTP 429 rate limited', attempts: 1, retryAt: T0 + 1000 });
    expect(describeEvent(events[0]!, new Map([['node-1', 'node-1']]))).toBe(`todo ${id} failed on node-1: HTTP 429 rate limited; back in the queue, claimable again in 1 s`);

    expect(describeTodo(getTodo(core, id), [], { now: T0 })).toMatch(/^ {2}available +2030-01-01T12:00:01\.000Z \(backing off after a failed attempt, in 1 s\)$/m);
    expect(claimTodos(core, { stakingKey: 'node-2', max: 1 }, T0 + 999)).toEqual([]);
    const due = maxEventId(core);
    expect(sweepQueue(core, T0 + 1000).announced).toBe(1);
    expect(readEventsAfter(core.sqlite, due, 1000).map((e) => e.type)).toEqual(['todo.available']);

    failOnce(core, 'node-2', T0 + 1000); // second attempt: 2 s
    expect(todoRow(core, id)).toMatchObject({ available_at: T0 + 3000 });
    failOnce(core, 'node-3', T0 + 3000); // third: 4 s, capped at 3 s
    expect(todoRow(core, id)).toMatchObject({ available_at: T0 + 6000 });
    failOnce(core, 'node-4', T0 + 6000);
    expect(todoRow(core, id)).toMatchObject({ available_at: T0 + 9000 });
    // The last attempt fails for good, at once: nothing to wait for.
    failOnce(core, 'node-5', T0 + 9000);
    expect(todoRow(core, id)).toMatchObject({ status: 'failed', attempts: 5 });
  });

  it('releases, declines and expired leases come back at once; without a delay failures do too', () => {
    using core = openTestCore({ retryDelayMs: 60_000 });
    const id = createTodo(core, todoInput(), T0).todo.id;
    const [first] = claimTodos(core, { stakingKey: 'a', max: 1 }, T0);
    releaseLeases(core, { stakingKey: 'a' }, [{ todoId: id, leaseToken: first!.leaseToken }], T0);
    const [second] = claimTodos(core, { stakingKey: 'a', max: 1 }, T0 + 1);
    declineLeases(core, { stakingKey: 'a' }, [{ todoId: id, leaseToken: second!.leaseToken, reason: 'no key for gpt-4o' }], T0 + 1);
    const [third] = claimTodos(core, { stakingKey: 'b', max: 1, leaseMs: 10 }, T0 + 2);
    expect(third?.todoId).toBe(id);
    sweepQueue(core, T0 + 100);
    expect(todoRow(core, id)).toMatchObject({ status: 'initialized', available_at: T0 + 100, announced: 1 });

    using plain = openTestCore();
    const other = createTodo(plain, todoInput(), T0).todo.id;
    failOnce(plain, 'a', T0);
    expect(todoRow(plain, other)).toMatchObject({ status: 'initialized', available_at: T0, announced: 1 });
    expect(claimTodos(plain, { stakingKey: 'b', max: 1 }, T0).map((c) => c.todoId)).toEqual([other]);
  });
});
