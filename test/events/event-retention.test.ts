import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { loadServerConfig } from '../../server/config.js';
import type { Core } from '../../server/core.js';
import { EventPruner } from '../../server/events/event-pruner.js';
import { hasEventsBefore, pruneEventsChunk, requireResumable, retainedEventIds } from '../../server/events/prune-events.js';
import { streamEvents } from '../../server/events/stream-events.js';
import { silentLogger } from '../../server/logger.js';
import { createTodo } from '../../server/queue/index.js';
import { eventIdsAfter, maxEventId, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const DAY_MS = 86_400_000;

/** `n` todos: two events each (`todo.created`, `todo.available`). */
function createTodos(core: Core, n: number): void {
  for (let i = 0; i < n; i++) createTodo(core, todoInput());
}

/** Back-dates the events with ids up to `throughId`, as if they were written `ageMs` ago. */
function ageEvents(core: Pick<Core, 'sqlite'>, throughId: number, ageMs: number, fromId = 0): void {
  core.sqlite.prepare('UPDATE events SET created_at = ? WHERE id > ? AND id <= ?').run(Date.now() - ageMs, fromId, throughId);
}

function reasonOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { reason?: string } | undefined)?.reason : undefined;
}

describe('pruning the event log', () => {
  it('deletes the expired head in chunks and keeps everything younger', () => {
    using core = openTestCore();
    createTodos(core, 10);
    ageEvents(core, 12, 40 * DAY_MS);
    const before = Date.now() - 30 * DAY_MS;
    expect(hasEventsBefore(core, before)).toBe(true);

    expect(pruneEventsChunk(core, before, 5)).toEqual({ deleted: 5, more: true });
    expect(pruneEventsChunk(core, before, 5)).toEqual({ deleted: 5, more: true });
    expect(pruneEventsChunk(core, before, 5)).toEqual({ deleted: 2, more: false });
    expect(pruneEventsChunk(core, before, 5)).toEqual({ deleted: 0, more: false });
    expect(hasEventsBefore(core, before)).toBe(false);
    expect(retainedEventIds(core)).toEqual({ oldest: 13, newest: 20 });
    expect(eventIdsAfter(core, 0)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('never deletes the newest event, so ids keep counting from where the log stands', () => {
    using core = openTestCore();
    createTodos(core, 3);
    ageEvents(core, 6, 40 * DAY_MS);
    expect(pruneEventsChunk(core, Date.now() - DAY_MS, 100).deleted).toBe(5);
    expect(retainedEventIds(core)).toEqual({ oldest: 6, newest: 6 });
    createTodos(core, 1);
    expect(eventIdsAfter(core, 0)).toEqual([6, 7, 8]);
  });

  it('stops at the first event young enough to keep, even if older ones follow (a clock stepped back)', () => {
    using core = openTestCore();
    createTodos(core, 5);
    ageEvents(core, 9, 40 * DAY_MS);
    ageEvents(core, 5, 0, 4); // event 5 is recent: deleting 6..9 too would punch a hole in the log
    expect(pruneEventsChunk(core, Date.now() - DAY_MS, 100)).toEqual({ deleted: 4, more: false });
    expect(eventIdsAfter(core, 0)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('refuses resume points the log cannot serve gap-free, naming lastEventId', () => {
    using core = openTestCore();
    createTodos(core, 5);
    ageEvents(core, 4, 40 * DAY_MS);
    pruneEventsChunk(core, Date.now() - DAY_MS, 100);
    expect(() => requireResumable(core, 3)).toThrow(/lastEventId 3 is older than the event log keeps \(oldest event is #5/);
    expect(() => requireResumable(core, 0)).toThrow(expect.objectContaining({ reason: 'EVENTS_PRUNED', code: 'PRECONDITION_FAILED', details: { field: 'lastEventId' } }));
    expect(() => requireResumable(core, 4)).not.toThrow(); // the next event, #5, is still there
    expect(() => requireResumable(core, 10)).not.toThrow();
    expect(() => requireResumable(core, 11)).toThrow(expect.objectContaining({ reason: 'EVENT_ID_UNKNOWN', code: 'PRECONDITION_FAILED' }));
  });

  it('a stream whose cursor is pruned under it fails instead of skipping ahead', async () => {
    using core = openTestCore();
    createTodos(core, 5);
    const abort = new AbortController();
    const stream = streamEvents({ sqlite: core.sqlite, bus: core.bus, afterId: 0, signal: abort.signal, pageSize: 2 });
    expect((await stream.next()).value?.id).toBe(1);
    expect((await stream.next()).value?.id).toBe(2);
    ageEvents(core, 6, 40 * DAY_MS);
    pruneEventsChunk(core, Date.now() - DAY_MS, 100);
    await expect(stream.next()).rejects.toThrow(/lastEventId 2 is older than the event log keeps/);
    abort.abort();
  });

  it('the pruner deletes one chunk per turn of the event loop until the backlog is gone', async () => {
    using core = openTestCore();
    createTodos(core, 30);
    ageEvents(core, 50, 40 * DAY_MS);
    const pruner = new EventPruner(core, 30, silentLogger(), 7);
    pruner.tick();
    // Only the first chunk ran synchronously; the rest follow on later turns.
    expect(retainedEventIds(core)?.oldest).toBe(8);
    await vi.waitFor(() => expect(retainedEventIds(core)?.oldest).toBe(51));
    expect(eventIdsAfter(core, 0)).toHaveLength(10);
  });

  it('retention 0 keeps every event; a negative retention is a configuration error naming the variable', () => {
    using core = openTestCore();
    createTodos(core, 3);
    ageEvents(core, 6, 4000 * DAY_MS);
    new EventPruner(core, 0, silentLogger()).tick();
    expect(eventIdsAfter(core, 0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loadServerConfig({}).eventRetentionDays).toBe(30);
    expect(loadServerConfig({ SWARMTASK_EVENT_RETENTION_DAYS: '0.5' }).eventRetentionDays).toBe(0.5);
    expect(() => loadServerConfig({ SWARMTASK_EVENT_RETENTION_DAYS: '-1' })).toThrow(/SWARMTASK_EVENT_RETENTION_DAYS/);
  });
});

describe('a coordinator with event retention', () => {
  it('prunes on its sweep, reports the oldest id, and refuses subscriptions that resume before it', async () => {
    await using t = await startTestCoordinator({ eventRetentionDays: 1 });
    const core = t.coordinator.core;
    createTodos(core, 30);
    const expiredThrough = maxEventId(core) - 10;
    ageEvents(core, expiredThrough, 2 * DAY_MS);
    await vi.waitFor(() => expect(retainedEventIds(core)?.oldest).toBe(expiredThrough + 1), { timeout: 10_000 });

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(`swarmtask_first_event_id ${expiredThrough + 1}\n`);

    const client = t.workerClient(t.stakedWorker());
    const failure = (lastEventId: number) =>
      new Promise<unknown>((resolve) => {
        const sub = client.trpc.events.on.subscribe(
          { lastEventId: String(lastEventId) },
          {
            onData: () => undefined,
            onError: (error) => {
              sub.unsubscribe();
              resolve(error);
            },
          },
        );
      });
    const pruned = await failure(expiredThrough - 1);
    expect(pruned).toBeInstanceOf(TRPCClientError);
    expect((pruned as TRPCClientError<never>).data).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'EVENTS_PRUNED' });
    expect((pruned as Error).message).toMatch(`lastEventId ${expiredThrough - 1} is older than the event log keeps`);
    expect(reasonOf(await failure(maxEventId(core) + 100))).toBe('EVENT_ID_UNKNOWN');

    // From the oldest id kept on, the stream is whole.
    const received: number[] = [];
    const sub = client.trpc.events.on.subscribe({ lastEventId: String(expiredThrough) }, { onData: (event) => received.push(Number(event.id)) });
    try {
      await vi.waitFor(() => expect(received).toEqual(eventIdsAfter(core, expiredThrough)), { timeout: 10_000 });
    } finally {
      sub.unsubscribe();
    }
  });

  it('a client that reconnects after its resume point was pruned gets EVENTS_PRUNED, not a silent gap', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const client = t.workerClient(t.stakedWorker(), { retryDelayMs: () => 50 });
    const received: number[] = [];
    const errors: unknown[] = [];
    const sub = client.trpc.todos.onAvailable.subscribe(
      { lastEventId: String(maxEventId(core)) },
      { onData: (event) => received.push(Number(event.id)), onError: (error) => errors.push(error) },
    );
    try {
      createTodos(core, 3);
      await vi.waitFor(() => expect(received).toHaveLength(3), { timeout: 10_000 });
      // The worker is cut off; meanwhile its resume point expires and is pruned (all in this
      // turn of the event loop, before the client can reconnect).
      t.coordinator.wss.clients.forEach((socket) => socket.terminate());
      createTodos(core, 5);
      ageEvents(core, maxEventId(core) - 1, 2 * DAY_MS);
      pruneEventsChunk(core, Date.now() - DAY_MS, 1000);
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000 });
      expect(reasonOf(errors[0])).toBe('EVENTS_PRUNED');
      expect(received).toHaveLength(3);
    } finally {
      sub.unsubscribe();
    }
  });
});
