import { describe, expect, it, vi } from 'vitest';
import { cancelTodo, createTodo, pauseClaims } from '../../server/queue/index.js';
import { maxEventId, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('events.on filters', () => {
  it('streams only the types and the todo asked for, live and from a resume point', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const client = t.workerClient(t.stakedWorker());
    const start = maxEventId(core);
    const [watched, other] = [createTodo(core, todoInput()).todo.id, createTodo(core, todoInput()).todo.id];

    const seen = { byTodo: [] as [string, number | null][], byType: [] as [string, number | null][], both: [] as [string, number | null][] };
    const subscribe = (input: { types?: string[]; todoId?: number }, into: [string, number | null][]) =>
      client.trpc.events.on.subscribe({ lastEventId: String(start), ...input }, { onData: ({ data }) => into.push([data.type, data.todoId ?? null]) });
    const subscriptions = [
      subscribe({ todoId: watched }, seen.byTodo),
      subscribe({ types: ['todo.cancelled', 'queue.'] }, seen.byType),
      subscribe({ types: ['todo.cancelled'], todoId: other }, seen.both),
    ];
    try {
      // Some events before the subscriptions start (backfilled from `start`), some after (live).
      await vi.waitFor(() => expect(seen.byTodo).toHaveLength(2), { timeout: 10_000 });
      cancelTodo(core, other);
      pauseClaims(core, 'filters');
      cancelTodo(core, watched);
      await vi.waitFor(() => expect(seen.byTodo).toHaveLength(3), { timeout: 10_000 });
      await vi.waitFor(() => expect(seen.byType).toHaveLength(3), { timeout: 10_000 });
      await vi.waitFor(() => expect(seen.both).toHaveLength(1), { timeout: 10_000 });
      expect(seen.byTodo).toEqual([
        ['todo.created', watched],
        ['todo.available', watched],
        ['todo.cancelled', watched],
      ]);
      expect(seen.byType).toEqual([
        ['todo.cancelled', other],
        ['queue.paused', null],
        ['todo.cancelled', watched],
      ]);
      expect(seen.both).toEqual([['todo.cancelled', other]]);
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
  });
});
