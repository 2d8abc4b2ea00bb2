import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/auth/api-keys.js';
import type { Core } from '../../server/core.js';
import { claimTodos, createTodo, getTodo, reportFailures, sweepQueue, updateTodo } from '../../server/queue/index.js';
import { readEventsAfter } from '../../server/events/read-events.js';
import { apiClient, expectDomainError, expectTrpcError, maxEventId, openTestCore, scheduledTodoInput, todoInput, todoRow } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;

/** The events written after `afterId`, as [type, todoId, data]. */
const events = (core: Core, afterId: number) => readEventsAfter(core.sqlite, afterId, 1000).map((e) => [e.type, e.todoId, e.data]);

describe('updating a todo after it was created', () => {
  it('a higher priority moves a queued todo ahead of older ones, recorded with old and new values and announced again', () => {
    using core = openTestCore();
    const first = createTodo(core, todoInput(), T0).todo.id;
    const second = createTodo(core, todoInput(), T0 + 1).todo.id;
    const before = maxEventId(core);

    const { todo, changes } = updateTodo(core, { id: second, priority: 9, reward: 7 }, T0 + 2);
    expect(changes).toEqual({ priority: { from: 0, to: 9 }, reward: { from: core.queue.defaultReward, to: 7 } });
    expect(todo).toMatchObject({ id: second, priority: 9, reward: 7, status: 'initialized', updatedAt: T0 + 2 });
    expect(events(core, before)).toEqual([
      ['todo.updated', second, { status: 'initialized', changes }],
      ['todo.available', second, { todoId: second, priority: 9, reward: 7, swarmType: 'ConcurrentWorkflow' }],
    ]);
    expect(claimTodos(core, { stakingKey: 'worker-a', max: 1 }, T0 + 3).map((c) => c.todoId)).toEqual([second]);
    expect(claimTodos(core, { stakingKey: 'worker-a', max: 1 }, T0 + 3).map((c) => c.todoId)).toEqual([first]);
  });

  it('a claimable time in the future hides a queued todo until the sweeper announces it; now makes a scheduled one claimable at once', () => {
    using core = openTestCore();
    const waiting = createTodo(core, todoInput(), T0).todo.id;
    updateTodo(core, { id: waiting, availableAt: T0 + HOUR }, T0 + 1);
    expect(todoRow(core, waiting)).toMatchObject({ available_at: T0 + HOUR, announced: 0 });
    expect(claimTodos(core, { stakingKey: 'worker-a', max: 5 }, T0 + 2)).toEqual([]);

    const before = maxEventId(core);
    expect(sweepQueue(core, T0 + HOUR).announced).toBe(1);
    expect(events(core, before).map(([type, todoId]) => [type, todoId])).toEqual([['todo.available', waiting]]);
    expect(claimTodos(core, { stakingKey: 'worker-a', max: 5 }, T0 + HOUR).map((c) => c.todoId)).toEqual([waiting]);

    const scheduled = createTodo(core, scheduledTodoInput(T0 + 5 * HOUR), T0).todo.id;
    const mark = maxEventId(core);
    const { changes } = updateTodo(core, { id: scheduled, availableAt: T0 + HOUR + 1 }, T0 + HOUR + 1);
    expect(changes).toEqual({ availableAt: { from: T0 + 5 * HOUR, to: T0 + HOUR + 1 } });
    expect(events(core, mark).map(([type]) => type)).toEqual(['todo.updated', 'todo.available']);
    expect(todoRow(core, scheduled)).toMatchObject({ announced: 1 });
    // The sweeper does not announce it a second time.
    expect(sweepQueue(core, T0 + HOUR + 2).announced).toBe(0);
    expect(claimTodos(core, { stakingKey: 'worker-b', max: 5 }, T0 + HOUR + 2).map((c) => c.todoId)).toEqual([scheduled]);
  });

  it('each field changes only in the statuses that allow it; a refused update changes nothing', () => {
    using core = openTestCore();
    const held = createTodo(core, todoInput({ maxAttempts: 1 }), T0).todo.id;
    const [claim] = claimTodos(core, { stakingKey: 'worker-a', max: 1 }, T0);
    expect(claim?.todoId).toBe(held);
    const rowBefore = todoRow(core, held);
    const eventsBefore = maxEventId(core);

    expect(expectDomainError(() => updateTodo(core, { id: held, priority: 3, reward: 1 }, T0 + 1), 'TODO_STATE_CONFLICT').message).toBe(
      'todo 1 is in_progress; its reward can change only while it is queued or failed (a node that claimed it works for the reward it saw)',
    );
    expect(expectDomainError(() => updateTodo(core, { id: held, availableAt: T0 }, T0 + 1), 'TODO_STATE_CONFLICT').message).toMatch(/claimable time can change only while it is queued$/);
    expect(todoRow(core, held)).toEqual(rowBefore);
    expect(maxEventId(core)).toBe(eventsBefore);

    // Priority may change while it is held: it orders the todo if it comes back to the queue.
    expect(updateTodo(core, { id: held, priority: 4 }, T0 + 1).changes).toEqual({ priority: { from: 0, to: 4 } });
    expect(events(core, eventsBefore).map(([type]) => type)).toEqual(['todo.updated']); // held: nothing to announce

    reportFailures(core, { stakingKey: 'worker-a' }, [{ todoId: held, leaseToken: claim!.leaseToken, error: 'boom' }], T0 + 2);
    expect(getTodo(core, held).status).toBe('failed');
    expect(updateTodo(core, { id: held, reward: 11 }, T0 + 3).todo).toMatchObject({ status: 'failed', reward: 11 });
    expectDomainError(() => updateTodo(core, { id: held, availableAt: T0 }, T0 + 3), 'TODO_STATE_CONFLICT');

    const cancelled = createTodo(core, todoInput(), T0).todo.id;
    core.sqlite.prepare(`UPDATE todos SET status = 'done' WHERE id = ?`).run(cancelled);
    expect(expectDomainError(() => updateTodo(core, { id: cancelled, priority: 1 }, T0 + 3), 'TODO_STATE_CONFLICT').message).toMatch(/^todo \d+ is done; its priority can change only while it is queued, in progress or failed$/);
  });

  it('values the todo already has change nothing and write no event', () => {
    using core = openTestCore();
    const id = createTodo(core, todoInput({ priority: 2 }), T0).todo.id;
    const before = maxEventId(core);
    const rowBefore = todoRow(core, id);
    expect(updateTodo(core, { id, priority: 2, availableAt: T0 }, T0 + 5)).toMatchObject({ changes: {}, todo: { priority: 2, updatedAt: T0 } });
    expect(todoRow(core, id)).toEqual(rowBefore);
    expect(maxEventId(core)).toBe(before);
  });

  it('over the API: admin keys may, read-only keys may not; no field, a bad field and a missing todo each get their own error', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const id = createTodo(core, todoInput()).todo.id;
    const admin = apiClient(t.url, t.apiKey);
    await expectTrpcError(admin.todos.update.mutate({ id }), { code: 'BAD_REQUEST', message: /nothing to change: give priority, reward or availableAt/ });
    await expectTrpcError(admin.todos.update.mutate({ id, priority: 1001 }), { code: 'BAD_REQUEST', message: /^priority: / });
    await expectTrpcError(admin.todos.update.mutate({ id, reward: -1 }), { code: 'BAD_REQUEST', message: /^reward: / });
    await expectTrpcError(admin.todos.update.mutate({ id: id + 100, priority: 1 }), { code: 'NOT_FOUND', message: /does not exist/ });
    const { key } = createApiKey(core, 'looker', 'read');
    await expectTrpcError(apiClient(t.url, key).todos.update.mutate({ id, priority: 1 }), { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY' });
    expect(getTodo(core, id).priority).toBe(0);

    const answer = await admin.todos.update.mutate({ id, priority: -5 });
    expect(answer.changes).toEqual({ priority: { from: 0, to: -5 } });
    expect(getTodo(core, id).priority).toBe(-5);
  });

  it('swarmtask todo update: prints what changed, exits 2 on a bad flag and 1 on a refused change', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const spec = writeExampleSpec(dir.path);
    expect((await runCli(['todo', 'add', spec, '--data', data])).code).toBe(0);

    const later = await runCli(['todo', 'update', '1', '--data', data, '--at', '2h', '--priority', '3', '--reward', '2000000000']);
    expect(later).toMatchObject({ code: 0 });
    expect(later.stdout).toMatch(/^todo 1: priority 0 → 3, reward 400 SWARMS → 2 SWARMS, claimable from \d{4}-\d\d-\d\dT[\d:.]+Z \(was claimable\)\n$/);
    const now = await runCli(['todo', 'update', '1', '--data', data, '--at', 'now', '--json']);
    expect(now.code).toBe(0);
    const answer = JSON.parse(now.stdout) as { availableAt: number; changes: { availableAt: { from: number; to: number } } };
    expect(answer.changes.availableAt.to).toBe(answer.availableAt);
    expect(answer.changes.availableAt.from).toBeGreaterThan(answer.availableAt + HOUR);
    expect((await runCli(['todo', 'update', '1', '--data', data, '--priority', '3'])).stdout).toBe('todo 1 unchanged (it already has those values)\n');

    const none = await runCli(['todo', 'update', '1', '--data', data]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to change: give --priority, --reward or --at') });
    const badAt = await runCli(['todo', 'update', '1', '--data', data, '--at', 'tomorrow']);
    expect(badAt).toMatchObject({ code: 2, stderr: expect.stringContaining('--at must be now, a delay like 30m, 2h or 1d, or an ISO date-time, got "tomorrow"') });
    const badPriority = await runCli(['todo', 'update', '1', '--data', data, '--priority', '5000']);
    expect(badPriority).toMatchObject({ code: 2, stderr: expect.stringContaining('--priority: ') });

    expect((await runCli(['todo', 'cancel', '1', '--data', data])).code).toBe(0);
    const refused = await runCli(['todo', 'update', '1', '--data', data, '--priority', '1']);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('todo 1 is cancelled; its priority can change only while it is queued, in progress or failed') });

    const story = await runCli(['events', '--data', data, '--todo', '1', '--type', 'todo.updated']);
    expect(story.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/todo 1 updated by the operator: priority 0 → 3, reward 400 SWARMS → 2 SWARMS, claimable from .* \(was claimable\)$/),
      expect.stringMatching(/todo 1 updated by the operator: claimable now \(was .*Z\)$/),
    ]);
  });
});
