import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { claimTodos, countTodosByStatus, createTodo, redriveFailedTodos, reportResults, sweepQueue, updateTodo } from '../../server/queue/index.js';
import { roundTick } from '../../server/rounds/round-tick.js';
import { consumeNonce } from '../../server/auth/verify-signed-request.js';
import { assignmentExists, countClaimsBy, findAssignedTodoId, findHeldTodo, findOpenTodoOfHolder } from '../../server/queue/find-by-bounty.js';
import { workerEarnings } from '../../server/rounds/worker-earnings.js';
import { workerDetail } from '../../server/auth/worker-detail.js';
import { registerWorker } from '../../server/auth/workers.js';
import { findEvents } from '../../server/events/find-events.js';
import { FindEventsInputSchema } from '../../shared/event-schemas.js';
import { openTestCore } from '../helpers/core.js';

/** Every SQL text the connection prepares while `work` runs. */
async function preparedDuring(sqlite: Database.Database, work: () => unknown): Promise<string[]> {
  const seen = new Set<string>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    seen.add(source);
    return prepare(source);
  }) as typeof sqlite.prepare;
  try {
    await work();
  } finally {
    sqlite.prepare = prepare;
  }
  return [...seen];
}

/** Plan steps that read a whole table: `SCAN x` without an index (virtual tables and constant rows aside). */
function fullScans(sqlite: Database.Database, source: string): string[] {
  // Plans do not depend on values here; bind nulls to whatever parameters the statement names.
  const named = Object.fromEntries([...source.matchAll(/@([A-Za-z_]\w*)/g)].map((m) => [m[1]!, null]));
  const positional = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => null);
  const args: unknown[] = Object.keys(named).length > 0 ? [...positional, named] : positional;
  const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...args) as { detail: string }[];
  return plan.map((step) => step.detail).filter((detail) => /^SCAN /.test(detail) && !/ USING | VIRTUAL TABLE|CONSTANT ROW/.test(detail));
}

describe('query plans', () => {
  it('the claim/report path, the periodic sweep and round tick, the legacy lookups, a worker\'s earnings and event searches read no table whole', async () => {
    using core = openTestCore();
    // Statements are cached per connection: a fresh core prepares each one inside the window.
    const sources = await preparedDuring(core.sqlite, async () => {
      for (let i = 0; i < 3; i++) createTodo(core, { spec: EXAMPLE_SWARM_SPEC, priority: 0 } as never);
      consumeNonce(core, 'worker', 'nonce-1', Date.now());
      for (const max of [1, 2]) {
        const claimed = claimTodos(core, { stakingKey: 'worker', max });
        reportResults(core, { stakingKey: 'worker' }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })));
      }
      // A node's filtered claim walks the same index.
      claimTodos(core, { stakingKey: 'picky', max: 1, filter: { minReward: 1, swarmTypes: ['ConcurrentWorkflow'] } });
      sweepQueue(core);
      await roundTick(core);
      // The legacy REST face finds a worker's todos through its assignments.
      findHeldTodo(core, 'worker', '1');
      findOpenTodoOfHolder(core, 'worker');
      countClaimsBy(core, 'worker');
      findAssignedTodoId(core, 'worker', '1');
      assignmentExists(core, { stakingKey: 'worker', prUrl: 'https://github.com/o/r/pull/1', round: 1, githubUsername: 'octocat' });
      // A node runner's earnings read its own rows only, however many submissions and audits there are.
      workerEarnings(core, 'worker', 5);
      // An operator's view of one worker reads that worker's rows only, too.
      registerWorker(core, { stakingKey: 'worker' });
      workerDetail(core, 'worker', 5);
      // Operator reads and bulk changes that must not grow with every todo ever made.
      countTodosByStatus(core);
      updateTodo(core, { id: createTodo(core, { spec: EXAMPLE_SWARM_SPEC, priority: 0 } as never).todo.id, priority: 3, availableAt: 0 });
      redriveFailedTodos(core, { limit: 10, errorContains: 'x', failedSince: 1 });
      redriveFailedTodos(core, { limit: 10, dryRun: true });
      // Event searches read a range of ids (a bounded window), never the whole log.
      for (const from of ['oldest', 'newest'] as const) findEvents(core.sqlite, FindEventsInputSchema.parse({ types: ['todo.', 'queue.'], todoId: 1, from }));
    });
    expect(sources.length).toBeGreaterThan(10);
    const scans = sources.map((source) => ({ source: source.replace(/\s+/g, ' ').trim(), scans: fullScans(core.sqlite, source) }));
    // Small tables may be read whole: rounds (one row per round) and workers (one per node,
    // read when auditors are picked).
    const offending = scans.filter((s) => s.scans.some((detail) => !/^SCAN (rounds|w|workers)\b/.test(detail)));
    expect(offending).toEqual([]);
  });
});
