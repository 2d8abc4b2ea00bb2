import { describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../server/auth/api-keys.js';
import { registerWorker, setStake } from '../../server/auth/workers.js';
import type { Core } from '../../server/core.js';
import {
  cancelTodo,
  claimTodos,
  createTodo,
  getTodo,
  heartbeatLeases,
  listTodos,
  redriveTodo,
  releaseLeases,
  reportFailures,
  reportResults,
  sweepQueue,
  type ClaimedTodo,
} from '../../server/queue/index.js';
import { DomainError } from '../../shared/errors.js';
import { generateKeypair } from '../../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import {
  apiClient,
  eventCounts,
  expectDomainError,
  expectTrpcError,
  maxEventId,
  openTestCore,
  scheduledTodoInput,
  todoInput,
  todoRow,
} from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;

const lease = (c: ClaimedTodo) => ({ todoId: c.todoId, leaseToken: c.leaseToken });

/** Tries every lease-bearing call as `stakingKey` with `ref`; each must answer LEASE_LOST. */
function expectAllLeaseCallsLost(core: Core, stakingKey: string, ref: { todoId: number; leaseToken: string }, now: number): void {
  const lost = [{ todoId: ref.todoId, ok: false, reason: 'LEASE_LOST' }];
  expect(reportResults(core, { stakingKey }, [{ ...ref, result: { late: true } }], now)).toEqual(lost);
  expect(reportFailures(core, { stakingKey }, [{ ...ref, error: 'late failure' }], now)).toEqual(lost);
  expect(heartbeatLeases(core, { stakingKey }, [ref], now)).toEqual(lost);
  expect(releaseLeases(core, { stakingKey }, [ref], now)).toEqual(lost);
}

describe('queue semantics: domain functions at explicit times', () => {
  it('a stale lease holder cannot report, fail, heartbeat or release a todo that was swept and re-claimed', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput(), T0);
    const [a] = claimTodos(core, { stakingKey: 'worker-a', max: 1 }, T0);
    expect(a).toMatchObject({ todoId: todo.id, attempt: 1, leaseExpiresAt: T0 + core.queue.leaseMs });

    // Not expired at its expiry instant; expired one millisecond later.
    expect(sweepQueue(core, a!.leaseExpiresAt).expiredLeases).toBe(0);
    expect(sweepQueue(core, a!.leaseExpiresAt + 1).expiredLeases).toBe(1);
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'initialized', holderKey: null, attempts: 1, lastError: 'lease expired' });

    const t1 = a!.leaseExpiresAt + 10;
    const [b] = claimTodos(core, { stakingKey: 'worker-b', max: 1 }, t1);
    expect(b).toMatchObject({ todoId: todo.id, attempt: 2 });
    expect(b!.leaseToken).not.toBe(a!.leaseToken);
    const before = todoRow(core, todo.id);
    const eventsBefore = maxEventId(core);

    expectAllLeaseCallsLost(core, 'worker-a', lease(a!), t1 + 1);
    // Nor can the stale holder use the new token, or the new holder the old one.
    expectAllLeaseCallsLost(core, 'worker-a', lease(b!), t1 + 1);
    expectAllLeaseCallsLost(core, 'worker-b', lease(a!), t1 + 1);

    expect(todoRow(core, todo.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'in_progress', holder_key: 'worker-b', lease_token: b!.leaseToken, attempts: 2 });
    expect(maxEventId(core)).toBe(eventsBefore);

    expect(reportResults(core, { stakingKey: 'worker-b' }, [{ ...lease(b!), result: { answer: 42 } }], t1 + 2)).toEqual([
      { todoId: todo.id, ok: true },
    ]);
    // The submitter stays recorded as the holder; the lease itself is gone.
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'submitted', result: { answer: 42 }, holderKey: 'worker-b', leaseExpiresAt: null });
  });

  it('attempts cap: the 5th lost attempt (failures and expiries alike) fails the todo and writes todo.failed', () => {
    using core = openTestCore();
    expect(core.queue.maxAttempts).toBe(5);
    const { todo } = createTodo(core, todoInput(), T0);
    expect(todo.maxAttempts).toBe(5);
    let now = T0;
    for (let attempt = 1; attempt <= 5; attempt++) {
      now += 1000;
      const [claim] = claimTodos(core, { stakingKey: `worker-${attempt}`, max: 1 }, now);
      expect(claim).toMatchObject({ todoId: todo.id, attempt });
      if (attempt === 3) {
        now = claim!.leaseExpiresAt + 1;
        expect(sweepQueue(core, now).expiredLeases).toBe(1);
      } else {
        expect(reportFailures(core, { stakingKey: `worker-${attempt}` }, [{ ...lease(claim!), error: `error ${attempt}` }], now)).toEqual([
          { todoId: todo.id, ok: true, status: attempt < 5 ? 'initialized' : 'failed' },
        ]);
      }
      const expected = attempt < 5 ? 'initialized' : 'failed';
      expect(getTodo(core, todo.id)).toMatchObject({ status: expected, attempts: attempt });
    }
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'failed', attempts: 5, lastError: 'error 5', holderKey: null });
    expect(eventCounts(core, todo.id)).toEqual({
      'todo.created': 1,
      'todo.available': 1 + 4,
      'todo.claimed': 5,
      'todo.failed_attempt': 4,
      'todo.lease_expired': 1,
      'todo.failed': 1,
    });
    const lastEvent = core.sqlite.prepare('SELECT type, data FROM events ORDER BY id DESC LIMIT 1').get() as { type: string; data: string };
    expect(lastEvent.type).toBe('todo.failed');
    expect(JSON.parse(lastEvent.data)).toMatchObject({ attempts: 5, error: 'error 5' });
    expect(claimTodos(core, { stakingKey: 'worker-6', max: 10 }, now + 1)).toEqual([]);
    expect(sweepQueue(core, now + 10 * HOUR)).toMatchObject({ expiredLeases: 0, announced: 0 });
  });

  it('a per-todo maxAttempts overrides the default', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput({ maxAttempts: 2 }), T0);
    for (const key of ['w1', 'w2']) {
      const [claim] = claimTodos(core, { stakingKey: key, max: 1 }, T0);
      reportFailures(core, { stakingKey: key }, [{ ...lease(claim!), error: 'no' }], T0);
    }
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(eventCounts(core, todo.id)['todo.failed']).toBe(1);
  });

  it('release hands the todo back without counting an attempt, and the releasing worker may claim it again', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput({ maxAttempts: 2 }), T0);
    for (let i = 1; i <= 6; i++) {
      const [claim] = claimTodos(core, { stakingKey: 'worker-a', max: 1 }, T0 + i);
      expect(claim).toMatchObject({ todoId: todo.id, attempt: 1 });
      expect(getTodo(core, todo.id).attempts).toBe(1);
      expect(releaseLeases(core, { stakingKey: 'worker-a' }, [lease(claim!)], T0 + i)).toEqual([{ todoId: todo.id, ok: true, status: 'initialized' }]);
      expect(getTodo(core, todo.id)).toMatchObject({ status: 'initialized', attempts: 0, holderKey: null });
    }
    expect(eventCounts(core, todo.id)).toEqual({
      'todo.created': 1,
      'todo.available': 1 + 6,
      'todo.claimed': 6,
      'todo.released': 6,
    });
  });

  it('the same staking key never gets the same todo twice (after a failure or an expiry)', () => {
    using core = openTestCore();
    const { todo: failedOnce } = createTodo(core, todoInput({ priority: 1 }), T0);
    const { todo: expiredOnce } = createTodo(core, todoInput(), T0);
    const claims = claimTodos(core, { stakingKey: 'worker-a', max: 2 }, T0);
    expect(claims.map((c) => c.todoId)).toEqual([failedOnce.id, expiredOnce.id]);
    reportFailures(core, { stakingKey: 'worker-a' }, [{ ...lease(claims[0]!), error: 'x' }], T0);
    sweepQueue(core, claims[1]!.leaseExpiresAt + 1);
    const later = claims[1]!.leaseExpiresAt + 2;
    expect(listTodos(core, { limit: 10, status: 'initialized' }).todos).toHaveLength(2);

    expect(claimTodos(core, { stakingKey: 'worker-a', max: 10 }, later)).toEqual([]);
    expect(claimTodos(core, { stakingKey: 'worker-b', max: 10 }, later).map((c) => c.todoId)).toEqual([failedOnce.id, expiredOnce.id]);
  });

  it('the same GitHub user never gets the same todo twice, whatever staking key it uses', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput(), T0);
    const [first] = claimTodos(core, { stakingKey: 'key-1', githubUsername: 'alice', max: 1 }, T0);
    reportFailures(core, { stakingKey: 'key-1' }, [{ ...lease(first!), error: 'x' }], T0);

    expect(claimTodos(core, { stakingKey: 'key-2', githubUsername: 'alice', max: 1 }, T0 + 1)).toEqual([]);
    // GitHub logins are case-insensitive: "Alice" is the same account.
    expect(claimTodos(core, { stakingKey: 'key-3', githubUsername: 'Alice', max: 1 }, T0 + 1)).toEqual([]);
    const [other] = claimTodos(core, { stakingKey: 'key-4', githubUsername: 'bob', max: 1 }, T0 + 1);
    expect(other?.todoId).toBe(todo.id);
    // A worker without a GitHub user is only checked by key.
    releaseLeases(core, { stakingKey: 'key-4' }, [lease(other!)], T0 + 2);
    expect(claimTodos(core, { stakingKey: 'key-5', max: 1 }, T0 + 3).map((c) => c.todoId)).toEqual([todo.id]);
  });

  it('scheduled todos stay hidden until their time; the sweep that reaches it writes one todo.available', () => {
    using core = openTestCore();
    const due = T0 + HOUR;
    const { todo } = createTodo(core, scheduledTodoInput(due), T0);
    expect(todo).toMatchObject({ status: 'initialized', availableAt: due });
    expect(eventCounts(core, todo.id)).toEqual({ 'todo.created': 1 });

    expect(claimTodos(core, { stakingKey: 'w', max: 10 }, T0)).toEqual([]);
    expect(claimTodos(core, { stakingKey: 'w', max: 10 }, due - 1)).toEqual([]);
    expect(sweepQueue(core, due - 1).announced).toBe(0);
    expect(eventCounts(core, todo.id)['todo.available']).toBeUndefined();

    expect(sweepQueue(core, due).announced).toBe(1);
    expect(sweepQueue(core, due + HOUR).announced).toBe(0);
    const available = core.sqlite.prepare("SELECT todo_id, data, created_at FROM events WHERE type = 'todo.available'").all() as {
      todo_id: number;
      data: string;
      created_at: number;
    }[];
    expect(available).toHaveLength(1);
    expect(available[0]).toMatchObject({ todo_id: todo.id, created_at: due });
    expect(JSON.parse(available[0]!.data)).toMatchObject({ todoId: todo.id });

    expect(claimTodos(core, { stakingKey: 'w', max: 10 }, due).map((c) => c.todoId)).toEqual([todo.id]);
  });

  it('a naive scheduled_time is read in its timezone; a past one is available at once', () => {
    using core = openTestCore();
    const berlin = createTodo(
      core,
      todoInput({ spec: { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: '2030-07-01T14:00:00', timezone: 'Europe/Berlin' } } }),
      T0,
    ).todo;
    expect(berlin.availableAt).toBe(Date.UTC(2030, 6, 1, 12, 0, 0)); // CEST = UTC+2
    const past = createTodo(core, scheduledTodoInput(T0 - HOUR), T0).todo;
    expect(eventCounts(core, past.id)).toEqual({ 'todo.created': 1, 'todo.available': 1 });
    expect(claimTodos(core, { stakingKey: 'w', max: 10 }, T0).map((c) => c.todoId)).toEqual([past.id]);
  });

  it('a dedupe key makes create idempotent: same id, created:false, one row, one set of events', () => {
    using core = openTestCore();
    const first = createTodo(core, todoInput({ dedupeKey: 'issue-17', priority: 1 }), T0);
    const again = createTodo(core, todoInput({ dedupeKey: 'issue-17', priority: 9, reward: 5 }), T0 + 1);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.todo.id).toBe(first.todo.id);
    expect(again.todo.priority).toBe(1);
    // Still the same todo after it changed state.
    claimTodos(core, { stakingKey: 'w', max: 1 }, T0 + 2);
    const third = createTodo(core, todoInput({ dedupeKey: 'issue-17' }), T0 + 3);
    expect(third).toMatchObject({ created: false, todo: { id: first.todo.id, status: 'in_progress' } });

    const other = createTodo(core, todoInput({ dedupeKey: 'issue-18' }), T0 + 4);
    expect(other.created).toBe(true);
    expect(other.todo.id).not.toBe(first.todo.id);
    expect(core.sqlite.prepare("SELECT count(*) AS n FROM todos WHERE dedupe_key = 'issue-17'").get()).toEqual({ n: 1 });
    expect(eventCounts(core, first.todo.id)).toEqual({ 'todo.created': 1, 'todo.available': 1, 'todo.claimed': 1 });
  });

  it('claims follow priority (high first), then availability time, then id', () => {
    using core = openTestCore();
    const make = (priority: number, at: number) => createTodo(core, todoInput({ priority }), at).todo.id;
    const p5late = make(5, T0 + 5);
    const p5early = make(5, T0);
    const p10 = make(10, T0 + 9);
    const p0 = make(0, T0);
    const pMinus3 = make(-3, T0);
    const p5earlySecond = make(5, T0);
    const order = [p10, p5early, p5earlySecond, p5late, p0, pMinus3];

    const oneByOne: number[] = [];
    for (let i = 0; i < 3; i++) oneByOne.push(...claimTodos(core, { stakingKey: `w${i}`, max: 1 }, T0 + 100).map((c) => c.todoId));
    expect(oneByOne).toEqual(order.slice(0, 3));
    expect(claimTodos(core, { stakingKey: 'w-batch', max: 10 }, T0 + 100).map((c) => c.todoId)).toEqual(order.slice(3));
  });

  it('one claim fills up to max', () => {
    using core = openTestCore();
    const ids = Array.from({ length: 7 }, () => createTodo(core, todoInput(), T0).todo.id);
    const first = claimTodos(core, { stakingKey: 'w', max: 5 }, T0);
    expect(first.map((c) => c.todoId)).toEqual(ids.slice(0, 5));
    expect(new Set(first.map((c) => c.leaseToken)).size).toBe(5);
    expect(claimTodos(core, { stakingKey: 'w', max: 5 }, T0).map((c) => c.todoId)).toEqual(ids.slice(5));
    expect(claimTodos(core, { stakingKey: 'w', max: 5 }, T0)).toEqual([]);
    expect(eventCounts(core)['todo.claimed']).toBe(7);
  });

  it('a claim hands out each todo whole: lease, attempt, spec, repository, bounty and reward', () => {
    using core = openTestCore();
    const withRepo = createTodo(core, todoInput({ repo: 'octo/widgets', bountyId: 'bounty-7', reward: 123 }), T0).todo;
    const plain = createTodo(core, todoInput(), T0).todo;
    const claimed = claimTodos(core, { stakingKey: 'w', max: 2, leaseMs: 60_000 }, T0);
    expect(claimed.map(({ leaseToken, ...rest }) => rest)).toEqual([
      { todoId: withRepo.id, leaseExpiresAt: T0 + 60_000, attempt: 1, spec: withRepo.spec, repo: { owner: 'octo', name: 'widgets' }, bountyId: 'bounty-7', reward: 123 },
      { todoId: plain.id, leaseExpiresAt: T0 + 60_000, attempt: 1, spec: plain.spec, repo: null, bountyId: null, reward: plain.reward },
    ]);
    expect(claimed.map((c) => c.leaseToken)).toEqual([todoRow(core, withRepo.id).lease_token, todoRow(core, plain.id).lease_token]);
  });

  it('cancel: a queued todo is withdrawn; an in-progress one is taken from its holder (LEASE_LOST)', () => {
    using core = openTestCore();
    const { todo: toHold } = createTodo(core, todoInput(), T0);
    const waiting = createTodo(core, todoInput(), T0).todo.id;
    const [held] = claimTodos(core, { stakingKey: 'holder', max: 1 }, T0);
    expect(held!.todoId).toBe(toHold.id);

    expect(cancelTodo(core, waiting, T0 + 1)).toMatchObject({ status: 'cancelled' });
    expect(claimTodos(core, { stakingKey: 'other', max: 10 }, T0 + 2)).toEqual([]);

    expect(cancelTodo(core, held!.todoId, T0 + 3)).toMatchObject({ status: 'cancelled', holderKey: null, leaseExpiresAt: null });
    const before = todoRow(core, held!.todoId);
    expectAllLeaseCallsLost(core, 'holder', lease(held!), T0 + 4);
    expect(todoRow(core, held!.todoId)).toEqual(before);
    // The sweeper does not resurrect it once its old lease time passes.
    expect(sweepQueue(core, held!.leaseExpiresAt + 1).expiredLeases).toBe(0);
    expect(getTodo(core, held!.todoId).status).toBe('cancelled');

    expect(eventCounts(core)['todo.cancelled']).toBe(2);
    const data = (core.sqlite.prepare("SELECT data FROM events WHERE type = 'todo.cancelled' ORDER BY id").all() as { data: string }[]).map(
      (r) => JSON.parse(r.data) as { previousStatus: string },
    );
    expect(data.map((d) => d.previousStatus)).toEqual(['initialized', 'in_progress']);

    expectDomainError(() => cancelTodo(core, held!.todoId, T0 + 5), 'TODO_STATE_CONFLICT', /cancelled/);
    expectDomainError(() => cancelTodo(core, 9999, T0 + 5), 'TODO_NOT_FOUND');
  });

  it('redrive puts a failed todo back with a fresh attempt budget; anything else is a conflict', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput({ maxAttempts: 1 }), T0);
    expectDomainError(() => redriveTodo(core, todo.id, T0), 'TODO_STATE_CONFLICT', /initialized/);
    const [claim] = claimTodos(core, { stakingKey: 'w1', max: 1 }, T0);
    expectDomainError(() => redriveTodo(core, todo.id, T0), 'TODO_STATE_CONFLICT', /in_progress/);
    reportFailures(core, { stakingKey: 'w1' }, [{ ...lease(claim!), error: 'broken' }], T0 + 1);
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'failed', attempts: 1 });

    const eventsBefore = eventCounts(core, todo.id);
    expect(redriveTodo(core, todo.id, T0 + 2)).toMatchObject({ status: 'initialized', attempts: 0, lastError: null });
    const eventsAfter = eventCounts(core, todo.id);
    expect(eventsAfter['todo.redriven']).toBe(1);
    expect(eventsAfter['todo.available']).toBe(eventsBefore['todo.available']! + 1);

    // w1 already had it; a fresh worker gets attempt 1 of a new budget.
    expect(claimTodos(core, { stakingKey: 'w1', max: 1 }, T0 + 3)).toEqual([]);
    const [again] = claimTodos(core, { stakingKey: 'w2', max: 1 }, T0 + 3);
    expect(again).toMatchObject({ todoId: todo.id, attempt: 1 });
    reportResults(core, { stakingKey: 'w2' }, [{ ...lease(again!), result: 'ok' }], T0 + 4);
    expectDomainError(() => redriveTodo(core, todo.id, T0 + 5), 'TODO_STATE_CONFLICT', /submitted/);
    expectDomainError(() => redriveTodo(core, 424242, T0 + 5), 'TODO_NOT_FOUND');
  });

  it('every state change writes its event row; refused changes write none', () => {
    using core = openTestCore();
    const { todo: a } = createTodo(core, todoInput({ priority: 10 }), T0);
    const { todo: scheduled } = createTodo(core, scheduledTodoInput(T0 + HOUR), T0);
    const { todo: b } = createTodo(core, todoInput({ maxAttempts: 2 }), T0);

    const [ca] = claimTodos(core, { stakingKey: 'w1', max: 1 }, T0 + 1);
    expect(ca!.todoId).toBe(a.id);
    reportResults(core, { stakingKey: 'w1' }, [{ ...lease(ca!), prUrl: 'https://github.com/o/r/pull/1' }], T0 + 2);
    expect(getTodo(core, a.id).status).toBe('pr_received');

    const [b1] = claimTodos(core, { stakingKey: 'w1', max: 1 }, T0 + 3);
    reportFailures(core, { stakingKey: 'w1' }, [{ ...lease(b1!), error: 'e1' }], T0 + 4);
    const [b2] = claimTodos(core, { stakingKey: 'w2', max: 1 }, T0 + 5);
    sweepQueue(core, b2!.leaseExpiresAt + 1); // second lost attempt: failed
    expect(getTodo(core, b.id).status).toBe('failed');
    redriveTodo(core, b.id, b2!.leaseExpiresAt + 2);
    const [b3] = claimTodos(core, { stakingKey: 'w3', max: 1 }, b2!.leaseExpiresAt + 3);
    releaseLeases(core, { stakingKey: 'w3' }, [lease(b3!)], b2!.leaseExpiresAt + 4);
    cancelTodo(core, b.id, b2!.leaseExpiresAt + 5);
    sweepQueue(core, T0 + HOUR); // announces the scheduled todo

    const key = createApiKey(core, 'ops', 'admin', T0);
    revokeApiKey(core, key.info.id, T0);
    const nine = generateKeypair().publicKeyBase58;
    registerWorker(core, { stakingKey: nine, githubUsername: 'nine' }, T0);
    setStake(core, nine, 5, T0);

    expect(eventCounts(core)).toEqual({
      'todo.created': 3,
      'todo.available': 1 + 1 + 1 + 1 + 1 + 1, // a, b, b after e1, b redriven, b released, scheduled
      'todo.claimed': 4,
      'todo.submitted': 1,
      'todo.failed_attempt': 1,
      'todo.lease_expired': 1,
      'todo.failed': 1,
      'todo.redriven': 1,
      'todo.released': 1,
      'todo.cancelled': 1,
      'api_key.created': 1,
      'api_key.revoked': 1,
      'worker.registered': 1,
      'worker.stake_set': 1,
    });
    expect(eventCounts(core, scheduled.id)).toEqual({ 'todo.created': 1, 'todo.available': 1 });
    const orphans = core.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type LIKE 'todo.%' AND todo_id IS NULL").get();
    expect(orphans).toEqual({ n: 0 });

    // Refused transitions change nothing, events included.
    const before = maxEventId(core);
    expectAllLeaseCallsLost(core, 'w3', lease(b3!), T0 + 2 * HOUR);
    expectDomainError(() => cancelTodo(core, b.id), 'TODO_STATE_CONFLICT');
    expectDomainError(() => redriveTodo(core, a.id), 'TODO_STATE_CONFLICT');
    expect(createTodo(core, todoInput({ dedupeKey: 'd' }), T0).created).toBe(true);
    const afterCreate = maxEventId(core);
    expect(createTodo(core, todoInput({ dedupeKey: 'd' }), T0).created).toBe(false);
    expect(maxEventId(core)).toBe(afterCreate);
    expect(afterCreate).toBe(before + 2);
  });

  it('a state change and its event commit together: when the event insert fails, the change rolls back', () => {
    using core = openTestCore();
    const { todo } = createTodo(core, todoInput(), T0);
    const [claim] = claimTodos(core, { stakingKey: 'w', max: 1 }, T0);
    const rowBefore = todoRow(core, todo.id);
    const assignmentsBefore = core.sqlite.prepare('SELECT * FROM assignments ORDER BY id').all();
    const eventsBefore = maxEventId(core);
    core.sqlite.exec(`CREATE TRIGGER fail_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'event log unavailable'); END`);

    expect(() => reportResults(core, { stakingKey: 'w' }, [{ ...lease(claim!), result: 1 }], T0 + 1)).toThrow(/event log unavailable/);
    expect(() => reportFailures(core, { stakingKey: 'w' }, [{ ...lease(claim!), error: 'x' }], T0 + 1)).toThrow(/event log unavailable/);
    expect(() => cancelTodo(core, todo.id, T0 + 1)).toThrow(/event log unavailable/);
    expect(() => sweepQueue(core, claim!.leaseExpiresAt + 1)).toThrow(/event log unavailable/);
    expect(() => createTodo(core, todoInput(), T0 + 1)).toThrow(/event log unavailable/);
    expect(todoRow(core, todo.id)).toEqual(rowBefore);
    expect(core.sqlite.prepare('SELECT * FROM assignments ORDER BY id').all()).toEqual(assignmentsBefore);
    expect(core.sqlite.prepare('SELECT count(*) AS n FROM todos').get()).toEqual({ n: 1 });
    expect(maxEventId(core)).toBe(eventsBefore);

    core.sqlite.exec('DROP TRIGGER fail_events');
    expect(reportResults(core, { stakingKey: 'w' }, [{ ...lease(claim!), result: 1 }], T0 + 2)).toEqual([{ todoId: todo.id, ok: true }]);
  });
});

describe('queue semantics through the worker client (WebSocket) and the HTTP API', () => {
  it('two workers racing for one todo: exactly one wins, every round', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const a = t.workerClient(t.stakedWorker());
    const b = t.workerClient(t.stakedWorker());
    await Promise.all([a.trpc.health.check.query(), b.trpc.health.check.query()]);
    const wins = { a: 0, b: 0 };
    for (let round = 0; round < 60; round++) {
      const { todo } = createTodo(core, todoInput());
      const [ra, rb] = await Promise.all([a.todos.claim({ max: 1 }), b.todos.claim({ max: 1 })]);
      expect(ra.length + rb.length, `round ${round}`).toBe(1);
      expect([...ra, ...rb][0]!.todoId).toBe(todo.id);
      if (ra.length) wins.a++;
      else wins.b++;
      expect(core.sqlite.prepare('SELECT count(*) AS n FROM assignments WHERE todo_id = ?').get(todo.id)).toEqual({ n: 1 });
      expect(eventCounts(core, todo.id)['todo.claimed']).toBe(1);
    }
    expect(wins.a + wins.b).toBe(60);

    // Batches race too: three workers grabbing up to 10 of 20 todos share them without overlap.
    const ids = Array.from({ length: 20 }, () => createTodo(core, todoInput()).todo.id);
    const c = t.workerClient(t.stakedWorker());
    const results = await Promise.all([a, b, c].map((w) => w.todos.claim({ max: 10 })));
    const claimed = results.flat().map((r) => r.todoId);
    expect(claimed.sort((x, y) => x - y)).toEqual(ids);
  });

  it('a stale lease holder gets LEASE_LOST for result, failure, heartbeat and release; the new holder keeps the todo', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const staleKey = t.stakedWorker();
    const stale = t.workerClient(staleKey);
    const fresh = t.workerClient(t.stakedWorker());

    // The stale worker claimed long ago; its lease ran out and the sweeper returned the todo.
    const past = Date.now() - 3 * core.queue.leaseMs;
    const { todo } = createTodo(core, todoInput(), past);
    const [old] = claimTodos(core, { stakingKey: staleKey.publicKeyBase58, max: 1 }, past);
    sweepQueue(core); // the background sweeper may have done it already; either way it is back
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'initialized', attempts: 1 });

    const [current] = await fresh.todos.claim({ max: 1 });
    expect(current).toMatchObject({ todoId: todo.id, attempt: 2 });
    const before = todoRow(core, todo.id);
    const eventsBefore = maxEventId(core);

    const lost = [{ todoId: todo.id, ok: false, reason: 'LEASE_LOST' }];
    expect(await stale.todos.reportResults({ results: [{ ...lease(old!), result: { late: true } }] })).toEqual(lost);
    expect(await stale.todos.reportFailures({ failures: [{ ...lease(old!), error: 'late' }] })).toEqual(lost);
    expect(await stale.todos.heartbeat({ leases: [lease(old!)] })).toEqual(lost);
    expect(await stale.todos.release({ leases: [lease(old!)] })).toEqual(lost);
    expect(await stale.todos.decline({ declines: [{ ...lease(old!), reason: 'late' }] })).toEqual(lost);
    // A stolen token does not help either: the lease is bound to the holder's key.
    expect(await stale.todos.reportResults({ results: [{ ...lease(current!), result: 'stolen' }] })).toEqual(lost);

    expect(todoRow(core, todo.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'in_progress', holder_key: fresh.stakingKey, lease_token: current!.leaseToken, attempts: 2 });
    expect(maxEventId(core)).toBe(eventsBefore);

    expect(await fresh.todos.heartbeat({ leases: [lease(current!)] })).toMatchObject([{ todoId: todo.id, ok: true }]);
    expect(await fresh.todos.reportResults({ results: [{ ...lease(current!), result: { fresh: true } }] })).toEqual([
      { todoId: todo.id, ok: true },
    ]);
    expect(getTodo(core, todo.id)).toMatchObject({ status: 'submitted', result: { fresh: true }, holderKey: fresh.stakingKey });
  });

  it('attempts cap over the client: five failures → failed, todo.failed written, nobody can claim it', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const api = apiClient(t.url, t.apiKey);
    const { todo } = await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC });
    expect(todo.maxAttempts).toBe(5);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const worker = t.workerClient(t.stakedWorker());
      const [claim] = await worker.todos.claim({ max: 1 });
      expect(claim).toMatchObject({ todoId: todo.id, attempt });
      expect(await worker.todos.reportFailures({ failures: [{ ...lease(claim!), error: `attempt ${attempt} failed` }] })).toEqual([
        { todoId: todo.id, ok: true, status: attempt < 5 ? 'initialized' : 'failed' },
      ]);
    }
    expect(await api.todos.get.query({ id: todo.id })).toMatchObject({ status: 'failed', attempts: 5, lastError: 'attempt 5 failed' });
    expect(eventCounts(core, todo.id)).toMatchObject({ 'todo.failed_attempt': 5, 'todo.failed': 1, 'todo.available': 5 });
    expect(await t.workerClient(t.stakedWorker()).todos.claim({ max: 10 })).toEqual([]);
  });

  it('release over the client does not count an attempt', async () => {
    await using t = await startTestCoordinator();
    const { todo } = createTodo(t.coordinator.core, todoInput({ maxAttempts: 1 }));
    const worker = t.workerClient(t.stakedWorker());
    for (let i = 0; i < 3; i++) {
      const [claim] = await worker.todos.claim({ max: 1 });
      expect(claim).toMatchObject({ todoId: todo.id, attempt: 1 });
      expect(await worker.todos.release({ leases: [lease(claim!)] })).toEqual([{ todoId: todo.id, ok: true, status: 'initialized' }]);
      expect(getTodo(t.coordinator.core, todo.id)).toMatchObject({ status: 'initialized', attempts: 0 });
    }
  });

  it('decline over the client: the attempt is refunded, the reason kept, and the key is never offered the todo again', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ maxAttempts: 1 }));
    const small = t.workerClient(t.stakedWorker());
    const [claim] = await small.todos.claim({ max: 1 });
    expect(await small.todos.decline({ declines: [{ ...lease(claim!), reason: 'needs at least 6 model calls, this node allows 4' }] })).toEqual([
      { todoId: todo.id, ok: true, status: 'initialized' },
    ]);
    expect(getTodo(core, todo.id)).toMatchObject({
      status: 'initialized',
      attempts: 0,
      lastError: `declined by ${small.stakingKey.slice(0, 8)}…: needs at least 6 model calls, this node allows 4`,
    });
    expect(eventCounts(core, todo.id)).toMatchObject({ 'todo.created': 1, 'todo.claimed': 1, 'todo.declined': 1, 'todo.available': 2 });
    const declined = core.sqlite.prepare("SELECT data FROM events WHERE type = 'todo.declined'").get() as { data: string };
    expect(JSON.parse(declined.data)).toEqual({ stakingKey: small.stakingKey, error: 'needs at least 6 model calls, this node allows 4', attempts: 0 });
    expect(await small.todos.claim({ max: 1 })).toEqual([]); // unlike a release
    // Declining does not use up the last attempt: another node can still do it.
    const big = t.workerClient(t.stakedWorker());
    expect((await big.todos.claim({ max: 1 })).map((c) => ({ todoId: c.todoId, attempt: c.attempt }))).toEqual([{ todoId: todo.id, attempt: 1 }]);
  });

  it('registered GitHub users: another key of the same user does not get the todo again', async () => {
    await using t = await startTestCoordinator();
    const { todo } = createTodo(t.coordinator.core, todoInput());
    const alice1 = t.workerClient(t.stakedWorker({ githubUsername: 'alice' }));
    const alice2 = t.workerClient(t.stakedWorker({ githubUsername: 'alice' }));
    const bob = t.workerClient(t.stakedWorker({ githubUsername: 'bob' }));
    const [claim] = await alice1.todos.claim({ max: 1 });
    await alice1.todos.reportFailures({ failures: [{ ...lease(claim!), error: 'gave up' }] });
    expect(await alice1.todos.claim({ max: 1 })).toEqual([]);
    expect(await alice2.todos.claim({ max: 1 })).toEqual([]);
    expect((await bob.todos.claim({ max: 1 })).map((c) => c.todoId)).toEqual([todo.id]);
  });

  it('a scheduled todo created over HTTP is not claimable and not announced before its time', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const api = apiClient(t.url, t.apiKey);
    const due = Date.now() + 24 * HOUR;
    const { todo } = await api.todos.create.mutate({
      spec: { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: new Date(due).toISOString() } },
    });
    expect(todo).toMatchObject({ status: 'initialized', availableAt: due });
    const worker = t.workerClient(t.stakedWorker());
    expect(await worker.todos.claim({ max: 10 })).toEqual([]);
    sweepQueue(core);
    expect(eventCounts(core, todo.id)).toEqual({ 'todo.created': 1 });
    // When its time comes, the sweep announces it.
    expect(sweepQueue(core, due).announced).toBe(1);
    expect(eventCounts(core, todo.id)).toEqual({ 'todo.created': 1, 'todo.available': 1 });
  });

  it('dedupe over HTTP: concurrent creates with one key yield one todo', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, dedupeKey: 'pr-99', priority: i })),
    );
    expect(new Set(results.map((r) => r.todo.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM todos').get()).toEqual({ n: 1 });
    expect(eventCounts(t.coordinator.core)['todo.created']).toBe(1);
  });

  it('priority order and claim max over the client', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const priorities = [0, 7, -2, 7, 100, 3, 0];
    const ids: number[] = [];
    for (const priority of priorities) ids.push((await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority })).todo.id);
    const expected = ids
      .map((id, i) => ({ id, priority: priorities[i]! }))
      .sort((x, y) => y.priority - x.priority || x.id - y.id)
      .map((x) => x.id);
    const worker = t.workerClient(t.stakedWorker());
    const first = await worker.todos.claim({ max: 5 });
    expect(first.map((c) => c.todoId)).toEqual(expected.slice(0, 5));
    expect((await worker.todos.claim({ max: 5 })).map((c) => c.todoId)).toEqual(expected.slice(5));
    expect(await worker.todos.claim({ max: 5 })).toEqual([]);
  });

  it('cancel over HTTP: queued and in-progress; the holder then gets LEASE_LOST; cancelling twice is a conflict', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const worker = t.workerClient(t.stakedWorker());
    const held = (await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority: 1 })).todo;
    const queued = (await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC })).todo;
    const [claim] = await worker.todos.claim({ max: 1 });
    expect(claim!.todoId).toBe(held.id);

    expect(await api.todos.cancel.mutate({ id: queued.id })).toMatchObject({ status: 'cancelled' });
    expect(await api.todos.cancel.mutate({ id: held.id })).toMatchObject({ status: 'cancelled', holderKey: null });
    const lost = [{ todoId: held.id, ok: false, reason: 'LEASE_LOST' }];
    expect(await worker.todos.heartbeat({ leases: [lease(claim!)] })).toEqual(lost);
    expect(await worker.todos.reportResults({ results: [{ ...lease(claim!), result: 1 }] })).toEqual(lost);
    expect(await worker.todos.reportFailures({ failures: [{ ...lease(claim!), error: 'x' }] })).toEqual(lost);
    expect(await worker.todos.release({ leases: [lease(claim!)] })).toEqual(lost);
    expect(await api.todos.get.query({ id: held.id })).toMatchObject({ status: 'cancelled' });
    expect(await t.workerClient(t.stakedWorker()).todos.claim({ max: 10 })).toEqual([]);

    await expectTrpcError(api.todos.cancel.mutate({ id: held.id }), { code: 'CONFLICT', reason: 'TODO_STATE_CONFLICT', message: /cancelled/ });
    await expectTrpcError(api.todos.cancel.mutate({ id: 987654 }), { code: 'NOT_FOUND', reason: 'TODO_NOT_FOUND' });
    expect(eventCounts(t.coordinator.core)['todo.cancelled']).toBe(2);
  });

  it('redrive over HTTP: failed → initialized with attempts reset; a non-failed todo is a CONFLICT', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const { todo } = await api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, maxAttempts: 1 });
    await expectTrpcError(api.todos.redrive.mutate({ id: todo.id }), {
      code: 'CONFLICT',
      reason: 'TODO_STATE_CONFLICT',
      message: /only failed todos can be redriven/,
    });
    const w1 = t.workerClient(t.stakedWorker());
    const [claim] = await w1.todos.claim({ max: 1 });
    await w1.todos.reportFailures({ failures: [{ ...lease(claim!), error: 'bad' }] });
    expect(await api.todos.get.query({ id: todo.id })).toMatchObject({ status: 'failed', attempts: 1 });

    expect(await api.todos.redrive.mutate({ id: todo.id })).toMatchObject({ status: 'initialized', attempts: 0, lastError: null });
    expect(eventCounts(t.coordinator.core, todo.id)).toMatchObject({ 'todo.redriven': 1, 'todo.available': 2, 'todo.failed': 1 });
    const [again] = await t.workerClient(t.stakedWorker()).todos.claim({ max: 1 });
    expect(again).toMatchObject({ todoId: todo.id, attempt: 1 });
    await expectTrpcError(api.todos.redrive.mutate({ id: todo.id }), { code: 'CONFLICT', reason: 'TODO_STATE_CONFLICT' });
  });
});
