import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { wsUrlOf } from '../../client/worker-client.js';
import type { Core } from '../../server/core.js';
import { claimTodos, createTodo, reportFailures } from '../../server/queue/index.js';
import { eventIdsAfter, maxEventId, todoInput } from '../helpers/api.js';
import { startTestCoordinator, type TestCoordinator } from '../helpers/coordinator.js';

const WS_CLOSE_TRY_AGAIN_LATER = 1013;

function createTodos(core: Core, n: number): void {
  for (let i = 0; i < n; i++) createTodo(core, todoInput());
}

/** Terminates every server-side WebSocket, as a network drop or a crashed proxy would. */
function dropAllConnections(t: TestCoordinator): number {
  const sockets = [...t.coordinator.wss.clients];
  for (const socket of sockets) socket.terminate();
  return sockets.length;
}

function expectStrictlyIncreasing(ids: number[]): void {
  for (let i = 1; i < ids.length; i++) expect(ids[i]!, `ids[${i}]`).toBeGreaterThan(ids[i - 1]!);
}

describe('subscription resume over WebSocket (real worker client)', () => {
  it('events.on: disconnects mid-stream lose nothing and duplicate nothing', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    let opens = 0;
    let closes = 0;
    const client = t.workerClient(t.stakedWorker(), {
      onOpen: () => opens++,
      onClose: () => closes++,
      retryDelayMs: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    });
    const start = maxEventId(core);
    const received: number[] = [];
    const errors: unknown[] = [];
    // Disconnect once these many events have arrived, creating todos while the socket is down.
    const drops: { atReceived: number; createWhileDown: number }[] = [
      { atReceived: 15, createWhileDown: 40 },
      { atReceived: 250, createWhileDown: 100 },
      { atReceived: 700, createWhileDown: 25 },
    ];
    let dropped = 0;
    const sub = client.trpc.events.on.subscribe(
      { lastEventId: String(start) },
      {
        onData: (event) => {
          received.push(Number(event.id));
          const next = drops[dropped];
          // Inside the client's own data callback, so later events are still in flight and die
          // with the socket. Data already buffered by the client may arrive after a drop, before
          // the next socket exists: then the drop waits for a live connection.
          if (next && received.length >= next.atReceived && dropAllConnections(t) > 0) {
            dropped++;
            createTodos(core, next.createWhileDown);
          }
        },
        onError: (error) => errors.push(error),
      },
    );
    try {
      createTodos(core, 20); // 40 events: the first drop happens mid-stream
      await vi.waitFor(() => expect(dropped).toBe(1), { timeout: 10_000 });
      createTodos(core, 400); // a burst of 800 events: more drops while it streams
      await vi.waitFor(() => expect(received.at(-1)).toBe(maxEventId(core)), { timeout: 20_000, interval: 20 });
      await vi.waitFor(() => expect(dropped).toBe(3), { timeout: 10_000 });
      await vi.waitFor(() => expect(received.at(-1)).toBe(maxEventId(core)), { timeout: 20_000, interval: 20 });

      expect(errors).toEqual([]);
      // A drop can hit a socket that is still opening (no close callback for it), so only
      // "it reconnected at least once" is certain; the drop count above is what was exercised.
      expect(closes).toBeGreaterThanOrEqual(1);
      expect(opens).toBeGreaterThanOrEqual(2);
      const expected = eventIdsAfter(core, start);
      expect(expected.length).toBe(2 * (20 + 40 + 400 + 100 + 25));
      expectStrictlyIncreasing(received);
      expect(received).toEqual(expected);
    } finally {
      sub.unsubscribe();
    }
  });

  it('todos.onAvailable: resumes from the last announcement after a drop, in order, exactly once', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    let opens = 0;
    const client = t.workerClient(t.stakedWorker(), {
      onOpen: () => opens++,
      retryDelayMs: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    });
    const start = maxEventId(core);
    const received: { eventId: number; todoId: number }[] = [];
    const errors: unknown[] = [];
    let dropped = false;
    const sub = client.trpc.todos.onAvailable.subscribe(
      { lastEventId: String(start) },
      {
        onData: (event) => {
          received.push({ eventId: Number(event.id), todoId: event.data.todoId });
          if (received.length === 30 && !dropped) {
            dropped = true;
            expect(dropAllConnections(t)).toBe(1);
            // Non-announcement events interleave with announcements while the socket is down.
            const worker = 'slow-worker-key';
            createTodos(core, 10);
            const claimed = claimTodos(core, { stakingKey: worker, max: 5 });
            reportFailures(core, { stakingKey: worker }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, error: 'boom' })));
          }
        },
        onError: (error) => errors.push(error),
      },
    );
    try {
      createTodos(core, 100);
      await vi.waitFor(() => expect(dropped).toBe(true), { timeout: 10_000 });
      const expected = () => eventIdsAfter(core, start, 'todo.available');
      await vi.waitFor(() => expect(received.at(-1)?.eventId).toBe(expected().at(-1)), { timeout: 20_000, interval: 20 });
      expect(errors).toEqual([]);
      expect(opens).toBeGreaterThanOrEqual(2);
      // 110 created + 5 returned after failures.
      expect(expected()).toHaveLength(115);
      expect(received.map((r) => r.eventId)).toEqual(expected());
      const rows = core.sqlite
        .prepare("SELECT todo_id FROM events WHERE id > ? AND type = 'todo.available' ORDER BY id")
        .all(start) as { todo_id: number }[];
      expect(received.map((r) => r.todoId)).toEqual(rows.map((r) => r.todo_id));
    } finally {
      sub.unsubscribe();
    }
  });
});

interface RawSubscriber {
  ws: WebSocket;
  ids: number[];
  messages: unknown[];
  started: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A hand-rolled tRPC WebSocket client: connectionParams first, then one `events.on` subscription. */
async function rawSubscribe(url: string, apiKey: string, lastEventId: number): Promise<RawSubscriber> {
  const ws = new WebSocket(`${wsUrlOf(url)}?connectionParams=1`);
  const ids: number[] = [];
  const messages: unknown[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (raw) => {
    const text = raw.toString();
    if (text === 'PING' || text === 'PONG') return;
    const message = JSON.parse(text) as { id: number; result?: { type: string; id?: string; data?: { id: string } } };
    messages.push(message);
    if (message.result?.type === 'started') onStarted();
    if (message.result?.type === 'data') ids.push(Number(message.result.id));
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ method: 'connectionParams', data: { apiKey } }));
  ws.send(
    JSON.stringify({ id: 1, method: 'subscription', params: { path: 'events.on', input: { lastEventId: String(lastEventId) } } }),
  );
  return { ws, ids, messages, started, closed };
}

/**
 * Events of a few kilobytes each (a failure report carries its error text): `todos` todos are
 * created, claimed and failed for good (one attempt each), five events per todo, two of them large.
 */
function produceFailureEvents(core: Core, round: number, todos: number): void {
  const error = `worker crashed: ${'x'.repeat(3000)} (round ${round})`;
  for (let i = 0; i < todos; i++) createTodo(core, todoInput({ maxAttempts: 1 }));
  const claimed = claimTodos(core, { stakingKey: `producer-${round}`, max: todos });
  expect(claimed).toHaveLength(todos);
  reportFailures(core, { stakingKey: `producer-${round}` }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, error })));
}

describe('slow consumers', () => {
  it('a subscriber that stops reading is closed with 1013 instead of buffered without bound, and resumes with lastEventId', async () => {
    const maxSubscriberBufferBytes = 16 * 1024;
    await using t = await startTestCoordinator({ maxSubscriberBufferBytes });
    const core = t.coordinator.core;
    const start = maxEventId(core);
    const slow = await rawSubscribe(t.url, t.apiKey, start);
    await slow.started;
    const [serverSide] = [...t.coordinator.wss.clients];
    expect(serverSide).toBeDefined();

    slow.ws.pause(); // the TCP socket stops being read: kernel buffers fill, then the server's send buffer
    let round = 0;
    let maxBufferedSeen = 0;
    const limitRounds = 400; // 400 rounds ≈ 100k events ≈ 300 MB: far beyond any socket buffer
    while (serverSide!.readyState === WebSocket.OPEN && round < limitRounds) {
      produceFailureEvents(core, round++, 50);
      maxBufferedSeen = Math.max(maxBufferedSeen, serverSide!.bufferedAmount);
      // Let the server's subscription loop run between bursts.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(serverSide!.readyState, `server kept the slow socket open after ${round} rounds`).not.toBe(WebSocket.OPEN);
    const producedAtClose = maxEventId(core);
    // Thousands of events (megabytes) were written, but the server's send buffer never held more
    // than the limit plus one page (256 events of at most ~3.5 kB).
    expect(producedAtClose - start).toBeGreaterThan(1000);
    expect(maxBufferedSeen).toBeLessThan(maxSubscriberBufferBytes + 256 * 3500);

    // A little more happens after the drop; the resumed subscriber must get it too.
    produceFailureEvents(core, round++, 10);

    slow.ws.resume();
    const close = await slow.closed;
    expect(close.code).toBe(WS_CLOSE_TRY_AGAIN_LATER);
    const all = eventIdsAfter(core, start);
    expect(slow.ids.length).toBeGreaterThan(0);
    expect(slow.ids.length).toBeLessThan(eventIdsAfter(core, start).filter((id) => id <= producedAtClose).length);
    expect(slow.ids).toEqual(all.slice(0, slow.ids.length));

    const lastSeen = slow.ids.at(-1)!;
    const resumed = await rawSubscribe(t.url, t.apiKey, lastSeen);
    try {
      await vi.waitFor(() => expect(resumed.ids.at(-1)).toBe(maxEventId(core)), { timeout: 30_000, interval: 20 });
      expect([...slow.ids, ...resumed.ids]).toEqual(eventIdsAfter(core, start));
    } finally {
      resumed.ws.close();
    }
  });
});
