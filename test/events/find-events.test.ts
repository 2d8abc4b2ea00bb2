import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindEventsInputSchema, type FindEventsInput } from '../../shared/event-schemas.js';
import { appendEvent } from '../../server/events/append-event.js';
import { findEvents } from '../../server/events/find-events.js';
import { pruneEventsChunk } from '../../server/events/prune-events.js';
import { cancelTodo, createTodo } from '../../server/queue/index.js';
import { apiClient, expectTrpcError, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const TYPES = ['todo.created', 'todo.available', 'todo.failed', 'todo.failed.final', 'queue.paused', 'round.tallied', 'Todo.created'];

type Appended = { id: number; type: string; todoId: number | null; createdAt: number };

/** Appends the events, the i-th written at `start + 10·i` ms (the log is in time order). */
function append(core: ReturnType<typeof openTestCore>, events: { type: string; todoId: number | null }[], start = Date.now()): Appended[] {
  return events.map((event, i) => {
    const createdAt = start + 10 * i;
    return { ...event, createdAt, id: appendEvent(core.sqlite, { ...event, data: { n: 1 } }, createdAt) };
  });
}

const matches = (query: Pick<FindEventsInput, 'types' | 'todoId' | 'since'>) => (event: Appended) =>
  (!query.types || query.types.some((prefix) => event.type.startsWith(prefix))) &&
  (query.todoId === undefined || event.todoId === query.todoId) &&
  (query.since === undefined || event.createdAt >= query.since);

/** Every match, by paging with `cursor` until `done`, as the CLI does. */
function pageThrough(core: ReturnType<typeof openTestCore>, query: FindEventsInput, window: number): { ids: number[]; calls: number } {
  const ids: number[] = [];
  let calls = 0;
  let cursor = query.from === 'oldest' ? query.afterId : query.beforeId;
  for (;;) {
    const page = findEvents(core.sqlite, { ...query, ...(query.from === 'oldest' ? { afterId: cursor ?? 0 } : { beforeId: cursor }) }, window);
    calls++;
    const pageIds = page.events.map((e) => e.id);
    expect(pageIds).toEqual([...pageIds].sort((a, b) => a - b));
    if (query.from === 'oldest') ids.push(...pageIds);
    else ids.unshift(...pageIds);
    if (page.done) return { ids, calls };
    cursor = page.cursor;
    if (calls > 10_000) throw new Error('paging did not end');
  }
}

describe('events.find: events by type prefix and todo, from either end, in bounded scans', () => {
  it('paging from either end yields exactly the matching events, in order, whatever the window and limit', () => {
    using core = openTestCore();
    const base = findEvents(core.sqlite, FindEventsInputSchema.parse({ from: 'newest', limit: 1 })).events.at(-1)?.id ?? 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: fc.constantFrom(...TYPES), todoId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }) }), { maxLength: 60 }),
        fc.record({
          types: fc.option(fc.uniqueArray(fc.constantFrom('todo.', 'todo.failed', 'queue', 'round.tallied', 'nothing'), { minLength: 1, maxLength: 3 }), { nil: undefined }),
          todoId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          sinceOffset: fc.option(fc.integer({ min: -5, max: 650 }), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 7 }),
          from: fc.constantFrom('oldest' as const, 'newest' as const),
        }),
        fc.integer({ min: 1, max: 25 }),
        (events, { sinceOffset, ...filter }, window) => {
          core.sqlite.prepare('DELETE FROM events WHERE id > ?').run(base);
          const start = 1_800_000_000_000;
          const appended = append(core, events, start);
          const since = sinceOffset === undefined ? {} : { since: start + sinceOffset };
          const query = FindEventsInputSchema.parse({ ...filter, ...since, afterId: base });
          const expected = appended.filter(matches({ ...filter, ...since })).map((e) => e.id);
          const { ids, calls } = pageThrough(core, query, window);
          expect(ids).toEqual(expected);
          // Each call either fills its page or moves a whole window: the scan always advances.
          expect(calls).toBeLessThanOrEqual(Math.ceil(appended.length / window) + Math.ceil(expected.length / filter.limit) + 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a prefix matches case and all; several prefixes and a todo narrow together; ranges are exclusive', () => {
    using core = openTestCore();
    const [created, failed, finalFail, paused, upper] = append(core, [
      { type: 'todo.created', todoId: 7 },
      { type: 'todo.failed', todoId: 7 },
      { type: 'todo.failed.final', todoId: 8 },
      { type: 'queue.paused', todoId: null },
      { type: 'Todo.created', todoId: 7 },
    ]);
    const find = (input: Partial<FindEventsInput>) => findEvents(core.sqlite, FindEventsInputSchema.parse(input)).events.map((e) => e.id);
    expect(find({ types: ['todo.failed'] })).toEqual([failed!.id, finalFail!.id]);
    expect(find({ types: ['todo.'] }).includes(upper!.id)).toBe(false);
    expect(find({ types: ['queue.', 'todo.failed'], todoId: 7 })).toEqual([failed!.id]);
    expect(find({ todoId: 7, afterId: created!.id, beforeId: upper!.id })).toEqual([failed!.id]);
    expect(find({ types: ['queue'], from: 'newest', limit: 1 })).toEqual([paused!.id]);
    // The data comes back parsed, as events.list gives it.
    expect(findEvents(core.sqlite, FindEventsInputSchema.parse({ types: ['queue.paused'] })).events[0]).toMatchObject({ type: 'queue.paused', todoId: null, data: { n: 1 } });
  });

  it('reading forward says where it caught up, so following only reads what is new; a pruned head is skipped', () => {
    using core = openTestCore();
    const input = (afterId: number) => FindEventsInputSchema.parse({ types: ['todo.failed'], afterId });
    const before = append(core, [{ type: 'todo.created', todoId: 1 }, { type: 'todo.created', todoId: 2 }]);
    const caughtUp = findEvents(core.sqlite, input(0));
    expect(caughtUp).toEqual({ events: [], cursor: before[1]!.id, done: true });
    const [failed] = append(core, [{ type: 'todo.failed', todoId: 2 }, { type: 'todo.created', todoId: 3 }]);
    expect(findEvents(core.sqlite, input(caughtUp.cursor))).toMatchObject({ events: [{ id: failed!.id }], done: true });

    // From the newest end an exhausted search says so, and its cursor is the log's start.
    const empty = findEvents(core.sqlite, FindEventsInputSchema.parse({ types: ['nothing'], from: 'newest' }));
    expect(empty).toMatchObject({ events: [], done: true });

    // Pruned events are not searched: the range starts at the oldest kept event.
    pruneEventsChunk(core, Date.now() + 1000, 2);
    expect(findEvents(core.sqlite, FindEventsInputSchema.parse({ todoId: 1 })).events).toEqual([]);
  });

  it("a todo's events are searched from its creation on: the log before it is skipped, not scanned", () => {
    using core = openTestCore();
    const longAgo = Date.now() - 5 * 3_600_000;
    append(core, Array.from({ length: 500 }, () => ({ type: 'todo.available', todoId: 999 })), longAgo);
    const todoId = createTodo(core, todoInput()).todo.id;
    cancelTodo(core, todoId);
    // A window of 10 ids could not reach the todo from the start of the log in one call.
    const found = findEvents(core.sqlite, FindEventsInputSchema.parse({ todoId }), 10);
    expect(found.events.map((e) => e.type)).toEqual(['todo.created', 'todo.available', 'todo.cancelled']);
    expect(found.done).toBe(true);
    // From the newest end too, and an explicit `since` later than the creation still wins.
    expect(findEvents(core.sqlite, FindEventsInputSchema.parse({ todoId, from: 'newest' }), 10).events).toHaveLength(3);
    const cancelledAt = found.events[2]!.createdAt;
    expect(findEvents(core.sqlite, FindEventsInputSchema.parse({ todoId, since: cancelledAt + 1 }), 10).events).toEqual([]);
  });

  it('over tRPC: a read-only key may search; bad input is refused naming the field', async () => {
    await using t = await startTestCoordinator();
    const admin = apiClient(t.url, t.apiKey);
    const { todo: { id: todoId } } = await admin.todos.create.mutate(todoInput());
    const { key: readKey } = await admin.apiKeys.create.mutate({ name: 'dashboard', scope: 'read' });
    const reader = apiClient(t.url, readKey);
    const found = await reader.events.find.query({ types: ['todo.created'], todoId, from: 'newest' });
    expect(found).toMatchObject({ events: [{ type: 'todo.created', todoId }], done: true });
    for (const [input, field] of [
      [{ types: [] }, 'types'],
      [{ types: ['x'.repeat(101)] }, 'types.0'],
      [{ limit: 0 }, 'limit'],
      [{ from: 'middle' }, 'from'],
      [{ todoId: -1 }, 'todoId'],
    ] as const) {
      await expectTrpcError(reader.events.find.query(input as never), { code: 'BAD_REQUEST', httpStatus: 400, message: new RegExp(`\\b${field.replace('.', '\\.')}\\b`) });
    }
  });
});
