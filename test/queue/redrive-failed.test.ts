import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/auth/api-keys.js';
import type { Core } from '../../server/core.js';
import { claimTodos, countTodosByStatus, createTodo, redriveFailedTodos, reportFailures } from '../../server/queue/index.js';
import { apiClient, eventIdsAfter, expectTrpcError, maxEventId, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

/** One todo per error text, each failed for good (one attempt) at `at`. */
function failTodos(core: Core, errors: string[], at: number): number[] {
  const ids = errors.map(() => createTodo(core, todoInput({ maxAttempts: 1 }), at).todo.id);
  const claimed = claimTodos(core, { stakingKey: 'crashing-worker', max: errors.length }, at);
  const byId = new Map(ids.map((id, i) => [id, errors[i]!]));
  reportFailures(core, { stakingKey: 'crashing-worker' }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, error: byId.get(c.todoId)! })), at);
  return ids;
}

const todoStatus = (core: Core, id: number) => (core.sqlite.prepare('SELECT status, attempts, last_error FROM todos WHERE id = ?').get(id) as { status: string; attempts: number; last_error: string | null });

describe('redriving failed todos in bulk', () => {
  it('puts back the ones the filter matches, oldest failure first, with fresh attempts and the events of a redrive', () => {
    using core = openTestCore();
    const hourAgo = Date.now() - 3_600_000;
    const old = failTodos(core, ['HTTP 429 rate limited', 'model refused'], hourAgo);
    const recent = failTodos(core, ['upstream 429', 'bad spec', 'Rate limit: 50%_used'], Date.now() - 1000);
    expect(countTodosByStatus(core)).toEqual({ failed: 5 });

    // Case-insensitive; % and _ in the text match themselves.
    expect(redriveFailedTodos(core, { limit: 100, errorContains: '50%_USED', dryRun: true }).todoIds).toEqual([recent[2]]);
    expect(redriveFailedTodos(core, { limit: 100, errorContains: '%', dryRun: true }).todoIds).toEqual([recent[2]]);
    const dry = redriveFailedTodos(core, { limit: 100, errorContains: '429', dryRun: true });
    expect(dry).toEqual({ todoIds: [old[0], recent[0]], dryRun: true });
    expect(countTodosByStatus(core)).toEqual({ failed: 5 }); // a dry run changes nothing

    const before = maxEventId(core);
    const done = redriveFailedTodos(core, { limit: 100, errorContains: '429', failedSince: Date.now() - 60_000 });
    expect(done).toEqual({ todoIds: [recent[0]], dryRun: false });
    expect(todoStatus(core, recent[0]!)).toEqual({ status: 'initialized', attempts: 0, last_error: null });
    const events = core.sqlite.prepare('SELECT type, todo_id, data FROM events WHERE id > ? ORDER BY id').all(before) as { type: string; todo_id: number; data: string }[];
    expect(events.map((e) => [e.type, e.todo_id, JSON.parse(e.data)])).toEqual([
      ['todo.redriven', recent[0], { previousAttempts: 1 }],
      ['todo.available', recent[0], { todoId: recent[0], priority: 0, reward: core.queue.defaultReward, swarmType: 'ConcurrentWorkflow' }],
    ]);

    // The limit takes the oldest failures first.
    expect(redriveFailedTodos(core, { limit: 2 }).todoIds).toEqual([old[0], old[1]]);
    expect(countTodosByStatus(core)).toEqual({ failed: 2, initialized: 3 });
    // A redriven todo is claimable again (by a worker that did not fail it before).
    expect(claimTodos(core, { stakingKey: 'healthy-worker', max: 10 }).map((c) => c.todoId).sort((a, b) => a - b)).toEqual([old[0]!, old[1]!, recent[0]!].sort((a, b) => a - b));
  });

  it('over the API: an admin key may, a read-only key may not, bad filters name their field', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const ids = failTodos(core, ['boom', 'boom'], Date.now());
    const admin = apiClient(t.url, t.apiKey);
    await expectTrpcError(admin.todos.redriveFailed.mutate({ limit: 0 }), { code: 'BAD_REQUEST', message: /^limit: / });
    await expectTrpcError(admin.todos.redriveFailed.mutate({ errorContains: '' }), { code: 'BAD_REQUEST', message: /^errorContains: / });
    const { key } = createApiKey(core, 'looker', 'read');
    await expectTrpcError(apiClient(t.url, key).todos.redriveFailed.mutate({}), { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY' });
    expect(countTodosByStatus(core)).toEqual({ failed: 2 });
    expect(await admin.todos.redriveFailed.mutate({})).toEqual({ todoIds: ids, dryRun: false });
    expect(eventIdsAfter(core, 0, 'todo.redriven')).toHaveLength(2);
  });

  it('swarmtask todo redrive-failed: --dry-run lists, then the real run puts back; a bad --since exits 2', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const added = await runCli(['todo', 'import', '-', '--data', data, '--max-attempts', '1'], {}, undefined, `${JSON.stringify({ spec: todoInput().spec })}\n`.repeat(3));
    expect(added.code).toBe(0);
    {
      using core = openTestCore({ dataDir: data });
      const claimed = claimTodos(core, { stakingKey: 'crashing-worker', max: 3 });
      reportFailures(core, { stakingKey: 'crashing-worker' }, claimed.map((c, i) => ({ todoId: c.todoId, leaseToken: c.leaseToken, error: i === 1 ? 'timeout' : 'HTTP 429' })));
    }
    const dry = await runCli(['todo', 'redrive-failed', '--data', data, '--error', '429', '--since', '10m', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('would put back: 2 todo(s) (1, 3)\n');
    const real = await runCli(['todo', 'redrive-failed', '--data', data, '--json']);
    expect(JSON.parse(real.stdout)).toEqual({ todoIds: [1, 2, 3], dryRun: false });
    const none = await runCli(['todo', 'redrive-failed', '--data', data]);
    expect(none.stdout).toBe('no failed todo matches\n');
    const bad = await runCli(['todo', 'redrive-failed', '--data', data, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a duration like 30m, 2h or 7d, or an ISO date-time, got "yesterday"/);
  });
});
