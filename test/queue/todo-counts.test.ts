import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../server/core.js';
import {
  cancelTodo,
  claimTodos,
  countTodosByStatus,
  createTodo,
  redriveTodo,
  releaseLeases,
  reportFailures,
  reportResults,
  sweepQueue,
  type ClaimedTodo,
} from '../../server/queue/index.js';
import { DomainError } from '../../shared/errors.js';
import { openTestCore, todoInput } from '../helpers/api.js';

/** The counts the slow way: a scan of every todo. */
function scannedCounts(core: Pick<Core, 'sqlite'>): Record<string, number> {
  const rows = core.sqlite.prepare('SELECT status, count(*) AS n FROM todos GROUP BY status ORDER BY status').all() as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

type Step =
  | { kind: 'create'; n: number; maxAttempts: number }
  | { kind: 'claim'; worker: number; max: number }
  | { kind: 'complete' | 'fail' | 'release'; worker: number; take: number }
  | { kind: 'cancel' | 'redrive'; pick: number }
  | { kind: 'expire' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), n: fc.integer({ min: 1, max: 5 }), maxAttempts: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('claim' as const), worker: fc.integer({ min: 0, max: 2 }), max: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constantFrom('complete' as const, 'fail' as const, 'release' as const), worker: fc.integer({ min: 0, max: 2 }), take: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'redrive' as const), pick: fc.nat() }),
  fc.constant({ kind: 'expire' as const }),
);

describe('todo counts kept by triggers', () => {
  it('agree with a scan after any sequence of queue operations, refused ones included', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        using core = openTestCore();
        const held: ClaimedTodo[][] = [[], [], []];
        let clock = Date.now();
        for (const step of steps) {
          clock += 1000;
          try {
            switch (step.kind) {
              case 'create':
                for (let i = 0; i < step.n; i++) createTodo(core, todoInput({ maxAttempts: step.maxAttempts }), clock);
                break;
              case 'claim':
                held[step.worker]!.push(...claimTodos(core, { stakingKey: `worker-${step.worker}`, max: step.max, leaseMs: 5000 }, clock));
                break;
              case 'complete':
              case 'fail':
              case 'release': {
                const leases = held[step.worker]!.splice(0, step.take).map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken }));
                const holder = { stakingKey: `worker-${step.worker}` };
                // Every other report comes with a PR: both of a report's statuses get counted.
                if (step.kind === 'complete') reportResults(core, holder, leases.map((l, i) => ({ ...l, result: { ok: true }, prUrl: i % 2 ? undefined : `https://github.com/o/r/pull/${l.todoId}` })), clock);
                else if (step.kind === 'fail') reportFailures(core, holder, leases.map((l) => ({ ...l, error: 'boom' })), clock);
                else releaseLeases(core, holder, leases, clock);
                break;
              }
              case 'cancel':
              case 'redrive': {
                const ids = (core.sqlite.prepare('SELECT id FROM todos ORDER BY id').all() as { id: number }[]).map((r) => r.id);
                if (ids.length === 0) break;
                const id = ids[step.pick % ids.length]!;
                if (step.kind === 'cancel') cancelTodo(core, id, clock);
                else redriveTodo(core, id, clock);
                break;
              }
              case 'expire':
                clock += 10_000; // every lease handed out so far has run out
                sweepQueue(core, clock);
                break;
            }
          } catch (error) {
            // A refused transition (cancel a finished todo, redrive a live one) changes nothing.
            if (!(error instanceof DomainError)) throw error;
          }
          expect(countTodosByStatus(core)).toEqual(scannedCounts(core));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('count a claimed batch and a report with and without PRs', () => {
    using core = openTestCore();
    for (let i = 0; i < 5; i++) createTodo(core, todoInput());
    const claimed = claimTodos(core, { stakingKey: 'worker-0', max: 4 });
    expect(countTodosByStatus(core)).toEqual({ initialized: 1, in_progress: 4 });
    const reports = claimed.slice(0, 3).map((c, i) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: i, prUrl: i === 0 ? 'https://github.com/o/r/pull/1' : undefined }));
    reportResults(core, { stakingKey: 'worker-0' }, [...reports, { todoId: claimed[3]!.todoId, leaseToken: 'not-the-lease' }]);
    expect(countTodosByStatus(core)).toEqual({ initialized: 1, in_progress: 1, pr_received: 1, submitted: 2 });
    expect(countTodosByStatus(core)).toEqual(scannedCounts(core));
  });

  it('roll back with the transaction that changed the status', () => {
    using core = openTestCore();
    createTodo(core, todoInput());
    const before = countTodosByStatus(core);
    expect(() =>
      core.sqlite.transaction(() => {
        core.sqlite.prepare("UPDATE todos SET status = 'cancelled'").run();
        expect(countTodosByStatus(core)).toEqual({ cancelled: 1 });
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    expect(countTodosByStatus(core)).toEqual(before);
    expect(before).toEqual({ initialized: 1 });
  });
});
