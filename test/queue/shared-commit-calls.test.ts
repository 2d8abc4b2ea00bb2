import { getUntypedClient } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../server/db/group-commit.js';
import { createTodo } from '../../server/queue/index.js';
import { expectTrpcError, signedInput, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('calls sharing one commit', () => {
  it('a replayed call among concurrent claims fails alone; the others claim, each a different todo', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    for (let i = 0; i < 6; i++) createTodo(core, todoInput());
    const worker = t.stakedWorker();
    const client = getUntypedClient(t.workerClient(worker).trpc);
    const replayed = signedInput(worker, 'todos.claim', { max: 1 });
    await client.mutation('todos.claim', replayed);

    // Sent in one tick, so they travel in one WebSocket frame and land in one group commit.
    const isolatedRuns = vi.spyOn(GroupCommit.prototype as unknown as { runIsolated: () => unknown }, 'runIsolated');
    const calls = [
      ...Array.from({ length: 5 }, () => client.mutation('todos.claim', signedInput(worker, 'todos.claim', { max: 1 }))),
      client.mutation('todos.claim', replayed),
    ];
    const settled = await Promise.allSettled(calls);

    await expectTrpcError(calls[5]!, { code: 'CONFLICT', reason: 'NONCE_REPLAYED' });
    const claimed = settled.slice(0, 5).map((s) => {
      expect(s.status).toBe('fulfilled');
      return ((s as PromiseFulfilledResult<{ todoId: number }[]>).value)[0]!.todoId;
    });
    expect(new Set(claimed).size).toBe(5);
    // The failed call forced the rerun with a savepoint per call (the path under test).
    expect(isolatedRuns).toHaveBeenCalled();
    // What committed is exactly the six claims: no half-written rerun, no trace of the replay.
    expect(core.sqlite.prepare('SELECT count(*) AS n FROM assignments').get()).toEqual({ n: 6 });
    expect(core.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'todo.claimed'").get()).toEqual({ n: 6 });
    expect(core.sqlite.prepare("SELECT count(*) AS n FROM todos WHERE status = 'in_progress'").get()).toEqual({ n: 6 });
  });

  // The group commit splits one worker's long burst by these weights (server/db/group-commit.ts),
  // so each signed queue call must pass the todos it touches and the worker's staking key.
  it('each call tells the commit its weight (todos touched) and its worker: claim max, reportAndClaim results + max, leases', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    for (let i = 0; i < 3; i++) createTodo(core, todoInput());
    const keypair = t.stakedWorker();
    const worker = t.workerClient(keypair);
    const runs = vi.spyOn(core.writer, 'run');
    const by = keypair.publicKeyBase58;

    const claimed = await worker.todos.claim({ max: 2 });
    const leases = claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken }));
    await worker.todos.heartbeat({ leases });
    const { claimed: next } = await worker.call('todos.reportAndClaim', { results: leases.map((l) => ({ ...l, result: null })), max: 5 });
    await worker.todos.reportResults({ results: next.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })) });

    expect(runs.mock.calls.map(([, weight, source]) => ({ weight, source }))).toEqual([
      { weight: 2, source: by },
      { weight: 2, source: by },
      { weight: 7, source: by },
      { weight: 1, source: by },
    ]);
  });
});
