import { describe, expect, it } from 'vitest';
import { registerWorker } from '../../server/auth/workers.js';
import { claimTodos, createTodo, heartbeatLeases, releaseLeases, reportResults } from '../../server/queue/index.js';
import { apiClient, expectTrpcError, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';
import { generateKeypair } from '../../shared/keypair.js';

describe('workers.get / swarmtask workers KEY: one worker for its operator', () => {
  it('shows its registration, claims, the leases it holds now (with their current expiry) and its earnings, on every face', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const keypair = t.stakedWorker({ githubUsername: 'alice' });
    const key = keypair.publicKeyBase58;
    const holder = { stakingKey: key };
    const ids = [1, 2, 3].map(() => createTodo(core, todoInput()).todo.id);
    const [done, released, held] = claimTodos(core, { stakingKey: key, max: 3 }, Date.now());
    reportResults(core, holder, [{ todoId: done!.todoId, leaseToken: done!.leaseToken, result: 'ok' }]);
    releaseLeases(core, holder, [{ todoId: released!.todoId, leaseToken: released!.leaseToken }]);
    // A heartbeat moves the todo's expiry past the one its assignment was claimed with.
    const later = Date.now() + 30_000;
    heartbeatLeases(core, holder, [{ todoId: held!.todoId, leaseToken: held!.leaseToken }], later);
    // Another worker's lease is not this one's.
    const other = t.stakedWorker().publicKeyBase58;
    createTodo(core, todoInput());
    claimTodos(core, { stakingKey: other, max: 1 });

    const { key: readKey } = await apiClient(t.url, t.apiKey).apiKeys.create.mutate({ name: 'look', scope: 'read' });
    const detail = await apiClient(t.url, readKey).workers.get.query({ stakingKey: key });
    expect(detail).toMatchObject({
      worker: { stakingKey: key, githubUsername: 'alice', stake: core.auth.minStake },
      claims: 3,
      holding: [{ todoId: held!.todoId, status: 'in_progress', leaseExpiresAt: later + core.queue.leaseMs }],
      earnings: { stakingKey: key, registered: true, balance: 0 },
    });
    expect(ids).toContain(held!.todoId);

    const shown = await runCli(['workers', key, '--data', t.dataDir], { SWARMTASK_TASK_ID: 'test-task' });
    expect(shown.stderr).toBe('');
    for (const line of [
      new RegExp(`^staking key +${key}$`),
      /^github user +alice$/,
      /^last seen +\d{4}-\S+Z \(\d+ s ago\)$/,
      /^claims +3 in all$/,
      new RegExp(`^holding +todo ${held!.todoId} \\(in_progress, lease for \\d+ min \\d+ s\\)$`),
      /^stake +1 SWARMS, meets the minimum of 1 SWARMS$/,
      /^submissions +0 approved, 0 rejected, 0 awaiting audit$/,
    ]) {
      expect(shown.stdout.split('\n').some((l) => line.test(l)), `${line} in\n${shown.stdout}`).toBe(true);
    }
    const json = JSON.parse((await runCli(['workers', key, '--rounds', '3', '--json', '--server', t.url, '--api-key', t.apiKey])).stdout);
    expect(json).toMatchObject({ claims: 3, holding: [{ todoId: held!.todoId }] });
  });

  it('names an unknown key and a malformed one', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const stranger = generateKeypair().publicKeyBase58;
    await expectTrpcError(api.workers.get.query({ stakingKey: stranger }), { code: 'NOT_FOUND', reason: 'STAKING_KEY_UNKNOWN', message: new RegExp(stranger) });
    await expectTrpcError(api.workers.get.query({ stakingKey: 'not-a-key' }), { code: 'BAD_REQUEST', httpStatus: 400, message: /stakingKey/ });
    // Registered but never staked: shown, with what it lacks.
    registerWorker(t.coordinator.core, { stakingKey: stranger });
    const shown = await runCli(['workers', stranger, '--data', t.dataDir], { SWARMTASK_TASK_ID: 'test-task' });
    expect(shown.stdout).toMatch(/^stake +0 SWARMS, below the minimum of 1 SWARMS: no new work or audits until the operator stakes it$/m);
    expect(shown.stdout).toMatch(/^holding +nothing$/m);
    const unknown = await runCli(['workers', generateKeypair().publicKeyBase58, '--data', t.dataDir], { SWARMTASK_TASK_ID: 'test-task' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^swarmtask: staking key \w+ is not registered with this coordinator\n$/);
  });
});
