import { describe, expect, it, vi } from 'vitest';
import { claimTodos, claimsPause, createTodo, pauseClaims, reportFailures, reportResults, resumeClaims } from '../../server/queue/index.js';
import { apiClient, eventCounts, expectTrpcError, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

describe('pausing claims', () => {
  it('claims get nothing while paused; held work is still reported; resume hands work out again', () => {
    using core = openTestCore();
    for (let i = 0; i < 3; i++) createTodo(core, todoInput());
    const held = claimTodos(core, { stakingKey: 'worker-a', max: 1 });
    expect(held).toHaveLength(1);

    const { pause, changed } = pauseClaims(core, 'upgrading to 1.4', 1_000);
    expect(changed).toBe(true);
    expect(pause).toEqual({ since: 1_000, reason: 'upgrading to 1.4' });
    expect(claimTodos(core, { stakingKey: 'worker-b', max: 5 })).toEqual([]);
    expect(reportResults(core, { stakingKey: 'worker-a' }, [{ ...held[0]!, result: 'done' }])).toEqual([{ todoId: held[0]!.todoId, ok: true }]);
    // Pausing again keeps the first pause.
    expect(pauseClaims(core, 'another reason', 2_000)).toEqual({ pause: { since: 1_000, reason: 'upgrading to 1.4' }, changed: false });

    expect(resumeClaims(core, 61_000)).toEqual({ pausedMs: 60_000 });
    expect(resumeClaims(core, 62_000)).toEqual({ pausedMs: null });
    expect(claimsPause(core)).toBeNull();
    expect(claimTodos(core, { stakingKey: 'worker-b', max: 5 })).toHaveLength(2);
    expect(eventCounts(core)).toMatchObject({ 'queue.paused': 1, 'queue.resumed': 1 });
  });

  it('over the API and to a worker: admin keys pause and resume, the worker claims nothing meanwhile, /metrics shows it', async () => {
    await using t = await startTestCoordinator();
    createTodo(t.coordinator.core, todoInput());
    const admin = apiClient(t.url, t.apiKey);
    const worker = t.workerClient(t.stakedWorker());
    await admin.queue.pause.mutate({ reason: 'provider outage' });
    expect(await admin.queue.state.query()).toEqual({ claimsPaused: { since: expect.any(Number), reason: 'provider outage' } });
    expect(await worker.todos.claim({ max: 3 })).toEqual([]);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toContain('swarmtask_claims_paused 1\n');
    // Anyone may see that claims are paused (health is public); the reason is for API keys.
    expect((await apiClient(t.url).health.check.query()).claimsPausedSince).toEqual(expect.any(Number));
    await expectTrpcError(admin.queue.pause.mutate({ reason: '' }), { code: 'BAD_REQUEST', message: /^reason: / });
    await expectTrpcError(apiClient(t.url).queue.resume.mutate(), { code: 'UNAUTHORIZED', reason: 'API_KEY_MISSING' });

    await admin.queue.resume.mutate();
    expect((await apiClient(t.url).health.check.query()).claimsPausedSince).toBeNull();
    expect(await worker.todos.claim({ max: 3 })).toHaveLength(1);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toContain('swarmtask_claims_paused 0\n');
  });

  it('swarmtask pause on the data dir of a running coordinator stops its claims within a second; status says so; resume undoes it', async () => {
    await using t = await startTestCoordinator();
    createTodo(t.coordinator.core, todoInput());
    const worker = t.workerClient(t.stakedWorker());
    const paused = await runCli(['pause', '--data', t.dataDir, '--reason', 'maintenance']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toBe('claims paused (maintenance): workers finish what they hold and get nothing new; swarmtask resume hands out work again\n');
    // The coordinator reads the switch at most a second late; until then a claim may still succeed.
    await vi.waitFor(() => expect(claimsPause(t.coordinator.core)).not.toBeNull(), { timeout: 5000 });
    expect(await worker.todos.claim({ max: 3 })).toEqual([]);

    const status = await runCli(['status', '--server', t.url, '--api-key', t.apiKey]);
    expect(status.stdout).toMatch(/^claims +PAUSED since \d{4}-\d\d-\d\dT[\d:.]+Z \(maintenance\): swarmtask resume$/m);

    const resumed = await runCli(['resume', '--server', t.url, '--api-key', t.apiKey]);
    expect(resumed.stdout).toMatch(/^claims resumed after \d+ s\n$/);
    expect(await worker.todos.claim({ max: 3 })).toHaveLength(1);
    const again = await runCli(['resume', '--data', t.dataDir]);
    expect(again.stdout).toBe('claims were not paused\n');
  });

  it('swarmtask pause --wait returns once every held todo is reported or handed back (safe to stop), or says what is still held when time is up', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    for (let i = 0; i < 3; i++) createTodo(core, todoInput());
    const [done, failed] = claimTodos(core, { stakingKey: 'node-a', max: 2 });
    const server = ['--server', t.url, '--api-key', t.apiKey];

    const waiting = spawnCli(['pause', '--wait', '--reason', 'upgrade', ...server]);
    await vi.waitFor(() => expect(waiting.stderr).toContain('waiting for 2 held todos to be reported or handed back…'), { timeout: 15_000, interval: 20 });
    reportResults(core, { stakingKey: 'node-a' }, [{ todoId: done!.todoId, leaseToken: done!.leaseToken, result: { ok: true } }]);
    await vi.waitFor(() => expect(waiting.stderr).toContain('waiting for 1 held todo to be reported or handed back…'), { timeout: 15_000, interval: 20 });
    reportFailures(core, { stakingKey: 'node-a' }, [{ todoId: failed!.todoId, leaseToken: failed!.leaseToken, error: 'stopping' }]);
    expect(await waiting.exited).toBe(0);
    expect(waiting.stdout.at(-1)).toMatch(/^no todo is held any more \(waited \d+ s\): safe to stop the coordinator$/);
    // Paused, nothing more goes out meanwhile: the failed one is back in the queue, not claimed.
    expect(claimTodos(core, { stakingKey: 'node-b', max: 5 })).toEqual([]);

    await runCli(['resume', ...server]);
    const [stuck] = claimTodos(core, { stakingKey: 'node-c', max: 1 });
    expect(stuck).toBeDefined();
    const late = await runCli(['pause', '--wait', '--timeout', '1s', ...server, '--json']);
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({ changed: true, held: 1, waitedMs: expect.any(Number) });
    const bad = await runCli(['pause', '--wait', '--timeout', 'soon', ...server]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout must be a duration like 90s, 10m or 2h, got "soon"') });
  });
});
