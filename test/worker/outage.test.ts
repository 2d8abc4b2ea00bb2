import { describe, expect, it, vi } from 'vitest';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { SubmissionStore } from '../../client/worker/submission-store.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { balances } from '../../server/rounds/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { startTcpProxy, testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

const submissionsFor = (t: Awaited<ReturnType<typeof startTestCoordinator>>, todoId: number) =>
  t.coordinator.core.sqlite.prepare('SELECT staking_key, submission_cid, status FROM submissions WHERE todo_id = ?').all(todoId) as {
    staking_key: string;
    submission_cid: string;
    status: string;
  }[];

describe('coordinator outages lose nothing', () => {
  it('a submission that cannot be sent stays in the outbox and is sent once the coordinator is back', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    const core = t.coordinator.core;
    await using proxy = await startTcpProxy(t.url);
    await using workers = testWorkers(t);

    // The worker reaches the coordinator only through the proxy; the network goes away right
    // after its result is reported, before the submission goes out.
    let cutDone = false;
    const a = await workers.add({
      serverUrl: proxy.url,
      taskId: 'test-task',
      audit: false,
      callTimeoutMs: 1500,
      onEvent: (event) => {
        if (event.type === 'reported' && !cutDone) {
          cutDone = true;
          proxy.cut();
        }
      },
    });
    const todoId = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0 }).todo.id;

    await vi.waitFor(() => expect(a.eventsOf('error').filter((e) => e.stage === 'submit').length).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 50 });
    const stored = a.eventsOf('stored')[0]!;
    expect(getTodo(core, todoId).status).toBe('submitted'); // reported, but the coordinator has no submission
    expect(submissionsFor(t, todoId)).toEqual([]);
    expect(a.worker.status()).toMatchObject({ connected: false, pendingSubmissions: 1, lastError: { stage: expect.any(String) } });
    {
      using store = disposable(new SubmissionStore(a.dataDir));
      expect(store.value.list()).toMatchObject([{ todoId, submissionCid: stored.submissionCid, state: 'reported', submitAttempts: expect.any(Number) }]);
      expect(store.value.list()[0]!.submitAttempts).toBeGreaterThanOrEqual(2);
    }

    // Two auditors join directly; the network comes back; the submission arrives and is paid.
    await workers.add({ taskId: 'test-task' });
    await workers.add({ taskId: 'test-task' });
    proxy.restore();
    await vi.waitFor(() => expect(submissionsFor(t, todoId)).toMatchObject([{ staking_key: a.keypair.publicKeyBase58, submission_cid: stored.submissionCid }]), {
      timeout: 20_000,
      interval: 50,
    });
    await vi.waitFor(() => expect(getTodo(core, todoId).status).toBe('done'), { timeout: 30_000, interval: 100 });
    expect(a.worker.status()).toMatchObject({ connected: true, pendingSubmissions: 0 });
    expect(a.eventsOf('submitted')).toMatchObject([{ todoId, submissionCid: stored.submissionCid }]);
    await vi.waitFor(() => expect(balances(core, a.keypair.publicKeyBase58)).toEqual([{ stakingKey: a.keypair.publicKeyBase58, balance: getTodo(core, todoId).reward }]), {
      timeout: 20_000,
      interval: 100,
    });
  });

  it('a worker stopped between storing its proof and reporting it picks the work up from its outbox on the next start', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    const core = t.coordinator.core;
    await using proxy = await startTcpProxy(t.url);
    await using workers = testWorkers(t);

    let cutDone = false;
    const first = await workers.add({
      serverUrl: proxy.url,
      taskId: 'test-task',
      audit: false,
      callTimeoutMs: 1500,
      onEvent: (event) => {
        // The proof is in the outbox; the result report has not gone out yet.
        if (event.type === 'stored' && !cutDone) {
          cutDone = true;
          proxy.cut();
        }
      },
    });
    const todoId = createTodo(core, { spec: specFor('ConcurrentWorkflow'), priority: 0 }).todo.id;
    await vi.waitFor(() => expect(first.eventsOf('error').some((e) => e.stage === 'report')).toBe(true), { timeout: 20_000, interval: 50 });
    await first.worker.stop({ graceMs: 0 });
    expect(first.eventsOf('stopped')).toEqual([{ type: 'stopped', pendingSubmissions: 1 }]);
    expect(getTodo(core, todoId)).toMatchObject({ status: 'in_progress', holderKey: first.keypair.publicKeyBase58 });

    // Same key, same data dir, network back: the outbox reports the result under the still-valid lease, then submits.
    proxy.restore();
    const second = await workers.add({ keypair: first.keypair, dataDir: first.dataDir, taskId: 'test-task', audit: false });
    await vi.waitFor(() => expect(submissionsFor(t, todoId)).toMatchObject([{ staking_key: first.keypair.publicKeyBase58, submission_cid: first.eventsOf('stored')[0]!.submissionCid }]), {
      timeout: 20_000,
      interval: 50,
    });
    expect(second.eventsOf('outbox_resumed')).toEqual([{ type: 'outbox_resumed', pending: 1 }]);
    expect(describeWorkerEvent(second.eventsOf('outbox_resumed')[0]!)).toBe(
      '1 result from an earlier run still to report or submit: sending it now (swarmtask outbox lists them)',
    );
    expect(second.eventsOf('reported')).toMatchObject([{ todoId }]);
    expect(second.eventsOf('claimed')).toEqual([]); // nothing was run twice
    expect(['in_review', 'done']).toContain(getTodo(core, todoId).status);
    // The coordinator has the row before the worker has read the answer and emptied its outbox.
    await vi.waitFor(() => expect(second.worker.status().pendingSubmissions).toBe(0), { timeout: 10_000, interval: 50 });
  });
});

function disposable<T extends { close(): void }>(value: T): { value: T; [Symbol.dispose](): void } {
  return { value, [Symbol.dispose]: () => value.close() };
}
