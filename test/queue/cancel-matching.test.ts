import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/auth/api-keys.js';
import { cancelMatchingTodos, claimTodos, countTodosByStatus, createTodo, getTodo, reportResults } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { apiClient, eventIdsAfter, expectTrpcError, maxEventId, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

describe('cancelling the todos that match', () => {
  it('cancels queued and held todos by filter in one go, each as a single cancel would; finished ones and others are left alone', () => {
    using core = openTestCore();
    const voting = { ...EXAMPLE_SWARM_SPEC, swarm_type: 'MajorityVoting' };
    const queuedVote = createTodo(core, todoInput({ spec: voting, priority: 1 })).todo.id;
    const heldVote = createTodo(core, todoInput({ spec: voting, priority: 9 })).todo.id;
    const doneVote = createTodo(core, todoInput({ spec: voting, priority: 5 })).todo.id;
    const other = createTodo(core, todoInput({ repo: 'octo/demo' })).todo.id;
    const claimed = claimTodos(core, { stakingKey: 'node', max: 2 }); // heldVote, doneVote (by priority)
    const done = claimed.find((c) => c.todoId === doneVote)!;
    reportResults(core, { stakingKey: 'node' }, [{ todoId: done.todoId, leaseToken: done.leaseToken, result: null }]);
    const held = claimed.find((c) => c.todoId === heldVote)!;

    expect(cancelMatchingTodos(core, { swarmType: 'MajorityVoting', limit: 100, dryRun: true })).toEqual({ todoIds: [queuedVote, heldVote], dryRun: true });
    expect(getTodo(core, queuedVote).status).toBe('initialized');

    const before = maxEventId(core);
    expect(cancelMatchingTodos(core, { swarmType: 'MajorityVoting', limit: 100 })).toEqual({ todoIds: [queuedVote, heldVote], dryRun: false });
    expect([getTodo(core, queuedVote).status, getTodo(core, heldVote).status, getTodo(core, doneVote).status, getTodo(core, other).status]).toEqual([
      'cancelled',
      'cancelled',
      'submitted',
      'initialized',
    ]);
    expect(eventIdsAfter(core, before, 'todo.cancelled')).toHaveLength(2);
    // The holder of a cancelled todo has lost its lease.
    expect(reportResults(core, { stakingKey: 'node' }, [{ todoId: heldVote, leaseToken: held.leaseToken, result: null }])).toEqual([{ todoId: heldVote, ok: false, reason: 'LEASE_LOST' }]);

    expect(cancelMatchingTodos(core, { repo: 'octo/demo', status: 'in_progress', limit: 10 }).todoIds).toEqual([]);
    expect(cancelMatchingTodos(core, { repo: 'octo/demo', limit: 10 }).todoIds).toEqual([other]);
    expect(countTodosByStatus(core)).toEqual({ cancelled: 3, submitted: 1 });
  });

  it('over the API: a filter or all: true is required, a read-only key may not', async () => {
    await using t = await startTestCoordinator();
    const ids = [1, 2, 3].map(() => createTodo(t.coordinator.core, todoInput()).todo.id);
    const admin = apiClient(t.url, t.apiKey);
    await expectTrpcError(admin.todos.cancelMatching.mutate({}), { code: 'BAD_REQUEST', message: /name what to cancel \(status, swarmType or repo\), or all: true/ });
    await expectTrpcError(admin.todos.cancelMatching.mutate({ swarmType: 'Nope', all: true }), { code: 'BAD_REQUEST', message: /^swarmType: unknown swarm type "Nope"/ });
    const { key } = createApiKey(t.coordinator.core, 'looker', 'read');
    await expectTrpcError(apiClient(t.url, key).todos.cancelMatching.mutate({ all: true }), { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY' });
    expect(await admin.todos.cancelMatching.mutate({ all: true, limit: 2 })).toEqual({ todoIds: ids.slice(0, 2), dryRun: false });
    expect(countTodosByStatus(t.coordinator.core)).toEqual({ cancelled: 2, initialized: 1 });
  });

  it('swarmtask todo cancel-matching: --dry-run lists, the real run cancels; no filter without --all exits 2', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const spec = writeExampleSpec(dir.path);
    for (const repo of ['octo/a', 'octo/a', 'octo/b']) expect((await runCli(['todo', 'add', spec, '--repo', repo, '--data', data])).code).toBe(0);
    const none = await runCli(['todo', 'cancel-matching', '--data', data]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('name what to cancel (--status, --type or --repo), or --all for every queued and held todo') });
    const dry = await runCli(['todo', 'cancel-matching', '--repo', 'octo/a', '--dry-run', '--data', data]);
    expect(dry.stdout).toBe('would cancel: 2 todo(s) (1, 2)\n');
    const real = await runCli(['todo', 'cancel-matching', '--repo', 'octo/a', '--data', data]);
    expect(real.stdout).toBe('cancelled: 2 todo(s) (1, 2)\n');
    expect((await runCli(['todo', 'cancel-matching', '--repo', 'octo/a', '--data', data])).stdout).toBe('no queued or held todo matches\n');
    const badType = await runCli(['todo', 'cancel-matching', '--type', 'Swarmy', '--data', data]);
    expect(badType).toMatchObject({ code: 2, stderr: expect.stringContaining('--type: unknown swarm type "Swarmy"') });
  });
});
