import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/auth/api-keys.js';
import { countTodosByStatus } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { apiClient, eventCounts, expectTrpcError, maxEventId } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const todo = (task: string, extra: Record<string, unknown> = {}) => ({ spec: { ...EXAMPLE_SWARM_SPEC, task }, ...extra });

describe('todos.createMany', () => {
  it('creates a batch in one call, with events, and dedupe keys make a repeat add nothing', async () => {
    await using t = await startTestCoordinator();
    const admin = apiClient(t.url, t.apiKey);
    const batch = [todo('one', { dedupeKey: 'a' }), todo('two', { priority: 5 }), todo('three', { dedupeKey: 'a' })];
    const first = await admin.todos.createMany.mutate({ todos: batch });
    // The third repeats the first's key inside the same batch: it names the first todo.
    expect(first.created).toBe(2);
    expect(first.existing).toBe(1);
    expect(first.results[0]!.created).toBe(true);
    expect(first.results[2]).toEqual({ id: first.results[0]!.id, created: false });
    const second = await admin.todos.get.query({ id: first.results[1]!.id });
    expect(second).toMatchObject({ priority: 5, status: 'initialized', spec: { task: 'two' } });
    expect(eventCounts(t.coordinator.core)).toMatchObject({ 'todo.created': 2, 'todo.available': 2 });

    const again = await admin.todos.createMany.mutate({ todos: [todo('one', { dedupeKey: 'a' })] });
    expect(again).toEqual({ results: [{ id: first.results[0]!.id, created: false }], created: 0, existing: 1 });
    expect(countTodosByStatus(t.coordinator.core)).toEqual({ initialized: 2 });
  });

  it('is all or nothing: one refused todo names its index and leaves the store as it was', async () => {
    await using t = await startTestCoordinator();
    const admin = apiClient(t.url, t.apiKey);
    await admin.todos.createMany.mutate({ todos: [todo('before')] });
    const eventsBefore = maxEventId(t.coordinator.core);

    // A time zone only the domain can check (zod accepts any string).
    const badZone = todo('later', { spec: { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: '2030-01-01T09:00:00', timezone: 'Mars/Olympus' } } });
    await expectTrpcError(admin.todos.createMany.mutate({ todos: [todo('x'), badZone, todo('y')] }), {
      code: 'BAD_REQUEST',
      reason: 'INVALID_INPUT',
      message: /^todos\.1\.spec\.schedule: schedule\.timezone "Mars\/Olympus" is not an IANA time zone$/,
    });
    // zod: the field path runs through the array.
    await expectTrpcError(admin.todos.createMany.mutate({ todos: [todo('x'), todo('y'), { spec: { task: 'no agents' } }] as never }), {
      code: 'BAD_REQUEST',
      message: /todos\.2\.spec\.agents/,
    });
    await expectTrpcError(admin.todos.createMany.mutate({ todos: [] }), { code: 'BAD_REQUEST', message: /^todos: / });
    await expectTrpcError(admin.todos.createMany.mutate({ todos: Array.from({ length: 1001 }, (_, i) => todo(`t${i}`)) }), {
      code: 'BAD_REQUEST',
      message: /^todos: .*1000/,
    });
    expect(countTodosByStatus(t.coordinator.core)).toEqual({ initialized: 1 });
    expect(maxEventId(t.coordinator.core)).toBe(eventsBefore);
  });

  it('needs an API key that may write', async () => {
    await using t = await startTestCoordinator();
    const { key } = createApiKey(t.coordinator.core, 'dashboard', 'read');
    await expectTrpcError(apiClient(t.url).todos.createMany.mutate({ todos: [todo('x')] }), { code: 'UNAUTHORIZED', reason: 'API_KEY_MISSING' });
    await expectTrpcError(apiClient(t.url, key).todos.createMany.mutate({ todos: [todo('x')] }), { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY' });
    expect(countTodosByStatus(t.coordinator.core)).toEqual({});
  });
});
