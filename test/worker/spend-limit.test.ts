import { describe, expect, it, vi } from 'vitest';
import type { WorkerEvent } from '../../client/worker/events.js';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { SpendLedger } from '../../client/worker/spend-ledger.js';
import { DAY_MS, SpendLimit, SpendWatch } from '../../client/worker/spend-limit.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

const T0 = Date.parse('2026-12-02T00:00:00Z');
const HOUR = 3_600_000;

describe("a node's spending limit per day", () => {
  it('sums the runs of the rolling window, says when it frees up, and caps a run at what is left', () => {
    using dir = tempDir();
    const ledger = new SpendLedger(dir.path);
    try {
      const limit = new SpendLimit(ledger, { maxCostUsd: 1, maxTokens: 10_000 });
      expect(limit.describe()).toBe('$1.00, 10,000 tokens per day');
      ledger.record({ todoId: 1, at: T0, costUsd: 0.5, tokens: 1000, calls: 3 });
      ledger.record({ todoId: 2, at: T0 + 2 * HOUR, costUsd: 0.3, tokens: 1000, calls: 2 });
      expect(limit.state(T0 + 3 * HOUR)).toEqual({ spent: { costUsd: 0.8, tokens: 2000, calls: 5, runs: 2 }, exhaustedUntil: null });
      // $0.20 left: a run's own budget of $0.50 is cut to it; tokens are not the binding limit.
      expect(limit.budgetForRun({ maxCostUsd: 0.5, maxTokens: 50_000 }, T0 + 3 * HOUR)).toEqual({
        budget: { maxCostUsd: expect.closeTo(0.2, 10), maxTokens: 8000 },
        fromWindow: ['maxCostUsd', 'maxTokens'],
      });
      expect(limit.budgetForRun({ maxCostUsd: 0.1 }, T0 + 3 * HOUR)).toEqual({ budget: { maxCostUsd: 0.1, maxTokens: 8000 }, fromWindow: ['maxTokens'] });

      ledger.record({ todoId: 3, at: T0 + 4 * HOUR, costUsd: 0.25, tokens: 500, calls: 1 });
      // $1.05 spent: reached until the first run ages out of the window ($0.55 left in it then).
      expect(limit.state(T0 + 5 * HOUR)).toEqual({ spent: { costUsd: 1.05, tokens: 2500, calls: 6, runs: 3 }, exhaustedUntil: T0 + DAY_MS });
      expect(limit.state(T0 + DAY_MS).exhaustedUntil).toBeNull();
      // Unlimited: a run keeps its own budget.
      expect(new SpendLimit(ledger, {}).budgetForRun({ maxCalls: 4 })).toEqual({ budget: { maxCalls: 4 }, fromWindow: [] });
    } finally {
      ledger.close();
    }
  });

  it('says once that it waits and once that it goes on', () => {
    using dir = tempDir();
    const ledger = new SpendLedger(dir.path);
    try {
      let now = T0;
      const events: WorkerEvent[] = [];
      const watch = new SpendWatch(new SpendLimit(ledger, { maxTokens: 100, windowMs: HOUR }), (e) => events.push(e), () => now);
      expect(watch.paused()).toBe(false);
      ledger.record({ todoId: 1, at: T0, costUsd: 0, tokens: 150, calls: 1 });
      expect([watch.paused(), watch.paused()]).toEqual([true, true]);
      expect(watch.pausedUntil).toBe(T0 + HOUR);
      now = T0 + HOUR;
      expect([watch.paused(), watch.paused()]).toEqual([false, false]);
      expect(events).toEqual([{ type: 'spend_paused', costUsd: 0, tokens: 150, limit: '100 tokens per 3600 s', until: T0 + HOUR }, { type: 'spend_resumed' }]);
      expect(describeWorkerEvent(events[0]!)).toBe(
        "spent $0.00 and 150 tokens on models, this node's limit is 100 tokens per 3600 s: no new work until 2026-12-02T01:00:00.000Z (what is held is finished)",
      );
    } finally {
      ledger.close();
    }
  });

  it('a worker that reaches it hands the todo back whole, waits, and takes work again when the window frees up', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    // Any run crosses one token; the window is two seconds so the wait ends within the test.
    const w = await workers.add({ taskId: 'test-task', audit: false, statusPort: 0, spendLimit: { maxTokens: 1, windowMs: 2000 } });
    expect(describeWorkerEvent(w.eventsOf('started')[0]!)).toMatch(/; at most 1 tokens per 2 s$/);
    const todoId = createTodo(core, { spec: specFor('SequentialWorkflow'), priority: 0, maxAttempts: 1 }).todo.id;

    await vi.waitFor(() => expect(w.eventsOf('spend_paused')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    expect(w.eventsOf('released')).toEqual([
      { type: 'released', todoIds: [todoId], reason: expect.stringMatching(/^this node's limit of 1 tokens per 2 s is reached: \d+ tokens used, the limit is 1 \(what was left of it\)$/) },
    ]);
    expect(w.eventsOf('failed')).toEqual([]);
    expect(getTodo(core, todoId)).toMatchObject({ status: 'initialized', attempts: 0 }); // its one attempt is intact
    const health = (await (await fetch(`${w.worker.statusUrl}/health`)).json()) as { spendPausedUntil: number | null };
    expect(health.spendPausedUntil).toBe(w.eventsOf('spend_paused')[0]!.until);
    expect(await (await fetch(`${w.worker.statusUrl}/metrics`)).text()).toContain('swarmtask_worker_spend_paused 1\n');

    // Two seconds after the run, it has aged out: the worker takes the todo again (and, at one token, hands it back again).
    await vi.waitFor(() => expect(w.eventsOf('spend_resumed')).toHaveLength(1), { timeout: 20_000, interval: 50 });
    await vi.waitFor(() => expect(w.eventsOf('claimed').map((e) => e.todoId)).toEqual([todoId, todoId]), { timeout: 20_000, interval: 50 });
  });
});
