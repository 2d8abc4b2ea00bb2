import { describe, expect, it, vi } from 'vitest';
import { createOperatorClient } from '../../client/operator-client.js';
import { createApiKey } from '../../server/auth/api-keys.js';
import { createTodo } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { expectTrpcError, maxEventId, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('the operator client (API key)', () => {
  it('makes typed calls over HTTP: an admin key changes state, a read-only key reads, a wrong key is refused', async () => {
    await using t = await startTestCoordinator();
    const admin = createOperatorClient({ url: t.url, apiKey: t.apiKey });
    const { todo } = await admin.trpc.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority: 2 });
    const { changes } = await admin.trpc.todos.update.mutate({ id: todo.id, priority: 7 });
    expect(changes).toEqual({ priority: { from: 2, to: 7 } });

    const { key } = createApiKey(t.coordinator.core, 'looker', 'read');
    const reader = createOperatorClient({ url: t.url, apiKey: key });
    expect((await reader.trpc.todos.list.query({})).todos.map((x) => [x.id, x.priority])).toEqual([[todo.id, 7]]);
    await expectTrpcError(reader.trpc.todos.cancel.mutate({ id: todo.id }), { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY' });
    const stranger = createOperatorClient({ url: t.url, apiKey: 'sk_nobody_nothing' });
    await expectTrpcError(stranger.trpc.todos.counts.query(), { code: 'UNAUTHORIZED' });
    await Promise.all([admin.close(), reader.close(), stranger.close()]);
  });

  it('follows the event log over a WebSocket it opens on demand, and resumes after a drop with nothing lost or repeated', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    let opens = 0;
    const client = createOperatorClient({ url: t.url, apiKey: t.apiKey, retryDelayMs: () => 50, onOpen: () => opens++ });
    expect(t.coordinator.wss.clients.size).toBe(0); // no socket until a subscription needs one
    const start = maxEventId(core);
    const received: { id: number; type: string }[] = [];
    const errors: unknown[] = [];
    const sub = client.trpc.events.on.subscribe(
      { lastEventId: String(start), types: ['todo.created'] },
      { onData: ({ id, data }) => received.push({ id: Number(id), type: data.type }), onError: (error) => errors.push(error) },
    );
    try {
      const first = [1, 2, 3].map(() => createTodo(core, todoInput()).todo.id);
      await vi.waitFor(() => expect(received).toHaveLength(3), { timeout: 10_000, interval: 10 });
      for (const socket of t.coordinator.wss.clients) socket.terminate();
      const meanwhile = [1, 2, 3, 4].map(() => createTodo(core, todoInput()).todo.id);
      await vi.waitFor(() => expect(received).toHaveLength(7), { timeout: 10_000, interval: 10 });
      expect(opens).toBeGreaterThanOrEqual(2);
      expect(errors).toEqual([]);
      const expected = core.sqlite.prepare("SELECT id FROM events WHERE id > ? AND type = 'todo.created' ORDER BY id").all(start) as { id: number }[];
      expect(received.map((e) => e.id)).toEqual(expected.map((e) => e.id));
      expect(received.every((e) => e.type === 'todo.created')).toBe(true);
      expect(first.length + meanwhile.length).toBe(7);
    } finally {
      sub.unsubscribe();
      await client.close();
    }
  });
});
