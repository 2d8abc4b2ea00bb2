import { describe, expect, it, vi } from 'vitest';
import type { WorkerEvent } from '../../client/worker/events.js';
import { createWorkerRpc } from '../../client/worker/rpc.js';
import { SubmissionStore, type NewSubmission } from '../../client/worker/submission-store.js';
import { reportStoredResult, SubmissionSender } from '../../client/worker/submission.js';
import { createTodo } from '../../server/queue/index.js';
import { cidForBytes } from '../../shared/cid.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { specFor } from './swarm-specs.js';

const cidOf = (text: string) => cidForBytes(new TextEncoder().encode(text));

describe('the worker outbox (SQLite) and its sender, against a real coordinator', () => {
  it('keeps entries across reopening, sends them, and records a definitive refusal instead of retrying it', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keypair = t.stakedWorker();
    const rpc = createWorkerRpc(t.workerClient(keypair), 5000);
    createTodo(t.coordinator.core, { spec: specFor('SequentialWorkflow'), priority: 0 });
    const [todo] = await rpc.call('todos.claim', { max: 1 });
    const entry = async (n: number): Promise<NewSubmission> => ({
      stakingKey: keypair.publicKeyBase58,
      taskId: 'test-task',
      todoId: todo!.todoId,
      leaseToken: todo!.leaseToken,
      round: 0,
      resultCid: await cidOf(`output ${n}`),
      submissionCid: await cidOf(`record ${n}`),
      prUrl: null,
      result: { n },
    });

    // Written, closed, reopened: still there, still pending.
    const first = new SubmissionStore(dir.path);
    const a = first.add(await entry(1));
    expect(first.add(await entry(1)).id).toBe(a.id); // idempotent per submission CID
    first.close();
    const store = new SubmissionStore(dir.path);
    try {
      expect(store.list()).toMatchObject([{ id: a.id, state: 'unreported', result: { n: 1 } }]);
      expect(store.pendingCount(keypair.publicKeyBase58, 'test-task')).toBe(1);
      expect(store.pendingCount(keypair.publicKeyBase58, 'other-task')).toBe(0);

      // Reported under the live lease, then a second proof for the same todo.
      expect(await reportStoredResult(store, rpc, store.get(a.id)!)).toEqual({ outcome: 'reported' });
      const b = store.add(await entry(2));
      store.markReported(b.id);

      const events: WorkerEvent[] = [];
      const sender = new SubmissionSender({ store, rpc, emit: (e) => events.push(e), retry: { baseMs: 50, capMs: 200 } });
      sender.start();
      await vi.waitFor(() => expect(store.pendingCount()).toBe(0), { timeout: 10_000, interval: 20 });
      await sender.stop();

      expect(store.get(a.id)).toMatchObject({ state: 'sent', submitAttempts: 1, coordinatorSubmissionId: expect.any(Number) });
      // The coordinator already has a pending submission of this todo from this key: CONFLICT, recorded once, not retried.
      expect(store.get(b.id)).toMatchObject({ state: 'refused', submitAttempts: 1, lastError: expect.stringMatching(/^TODO_STATE_CONFLICT: /) });
      expect(events.map((e) => e.type)).toEqual(['submitted', 'submission_dropped']);
    } finally {
      store.close();
    }
  });

  it('a report whose lease is gone is dropped on a first attempt, and assumed delivered after an attempt whose answer was lost', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keypair = t.stakedWorker();
    const rpc = createWorkerRpc(t.workerClient(keypair), 5000);
    createTodo(t.coordinator.core, { spec: specFor('SequentialWorkflow'), priority: 0 });
    const [todo] = await rpc.call('todos.claim', { max: 1 });
    const store = new SubmissionStore(dir.path);
    try {
      const base = {
        stakingKey: keypair.publicKeyBase58,
        taskId: 'test-task',
        todoId: todo!.todoId,
        round: 0,
        resultCid: await cidOf('out'),
        prUrl: null,
        result: {},
      };
      const stale = store.add({ ...base, leaseToken: 'x'.repeat(32), submissionCid: await cidOf('stale') });
      expect(await reportStoredResult(store, rpc, stale)).toEqual({ outcome: 'lease_lost' });
      expect(store.get(stale.id)).toMatchObject({ state: 'dropped', lastError: 'lease lost before the result was reported' });

      // The real report goes through; a retry of it (its answer "lost") then sees LEASE_LOST and goes on to submit.
      const live = store.add({ ...base, leaseToken: todo!.leaseToken, submissionCid: await cidOf('live') });
      store.noteReportAttempt(live.id);
      await rpc.call('todos.reportResults', { results: [{ todoId: todo!.todoId, leaseToken: todo!.leaseToken, result: {} }] });
      expect(await reportStoredResult(store, rpc, store.get(live.id)!)).toMatchObject({ outcome: 'reported', note: expect.stringContaining('may have gone through') });
      expect(store.get(live.id)).toMatchObject({ state: 'reported', reportAttempts: 2 });
    } finally {
      store.close();
    }
  });
});
