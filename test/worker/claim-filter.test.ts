import { describe, expect, it, vi } from 'vitest';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { mayMatchClaimFilter } from '../../client/worker/claim-filter.js';
import { createTodo, getTodo, updateTodo } from '../../server/queue/index.js';
import { BASE_UNITS_PER_SWARMS } from '../../shared/swarms-units.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

const SWARMS = BASE_UNITS_PER_SWARMS;

describe("a worker's choice of work", () => {
  it('claims only todos paying enough of the types it runs; a reward raised by the operator brings a skipped one in', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    // The voting todo comes first in claim order: a node without a filter would take it first.
    const voting = createTodo(core, { spec: specFor('MajorityVoting'), priority: 9, reward: 900 * SWARMS }).todo.id;
    const cheap = createTodo(core, { spec: specFor('ConcurrentWorkflow', 'cheap'), priority: 5, reward: 100 * SWARMS }).todo.id;
    const rich = createTodo(core, { spec: specFor('ConcurrentWorkflow', 'rich'), priority: 0, reward: 500 * SWARMS }).todo.id;

    await using workers = testWorkers(t);
    const picky = await workers.add({ taskId: 'test-task', audit: false, claimFilter: { minReward: 300 * SWARMS, swarmTypes: ['ConcurrentWorkflow', 'SequentialWorkflow'] } });
    expect(describeWorkerEvent(picky.eventsOf('started')[0]!)).toMatch(/; takes only todos paying at least 300 SWARMS, of type ConcurrentWorkflow or SequentialWorkflow$/);
    await vi.waitFor(() => expect(picky.eventsOf('submitted').map((e) => e.todoId)).toEqual([rich]), { timeout: 20_000, interval: 50 });
    expect(picky.eventsOf('claimed').map((e) => e.todoId)).toEqual([rich]);
    expect(getTodo(core, cheap)).toMatchObject({ status: 'initialized', attempts: 0 });
    expect(getTodo(core, voting)).toMatchObject({ status: 'initialized', attempts: 0 });

    updateTodo(core, { id: cheap, reward: 300 * SWARMS });
    await vi.waitFor(() => expect(picky.eventsOf('submitted').map((e) => e.todoId)).toEqual([rich, cheap]), { timeout: 20_000, interval: 50 });
    expect(getTodo(core, voting)).toMatchObject({ status: 'initialized', attempts: 0 });

    const any = await workers.add({ taskId: 'test-task', audit: false });
    await vi.waitFor(() => expect(any.eventsOf('submitted').map((e) => e.todoId)).toEqual([voting]), { timeout: 20_000, interval: 50 });
    expect(picky.eventsOf('claimed').map((e) => e.todoId)).toEqual([rich, cheap]);
  });

  it('skips the claim call for an announcement it would not take, and trusts one that leaves a field out', () => {
    const filter = { minReward: 300, swarmTypes: ['ConcurrentWorkflow' as const, 'SequentialWorkflow' as const] };
    expect(mayMatchClaimFilter(filter, { reward: 300, swarmType: 'ConcurrentWorkflow' })).toBe(true);
    expect(mayMatchClaimFilter(filter, { reward: 299, swarmType: 'ConcurrentWorkflow' })).toBe(false);
    expect(mayMatchClaimFilter(filter, { reward: 900, swarmType: 'MajorityVoting' })).toBe(false);
    // A spec without swarm_type runs as SequentialWorkflow.
    expect(mayMatchClaimFilter(filter, { reward: 900, swarmType: null })).toBe(true);
    expect(mayMatchClaimFilter({ swarmTypes: ['MajorityVoting'] }, { reward: 900, swarmType: null })).toBe(false);
    // Announcements of older coordinators: no reward (null), no type at all.
    expect(mayMatchClaimFilter(filter, { reward: null, swarmType: 'ConcurrentWorkflow' })).toBe(true);
    expect(mayMatchClaimFilter(filter, { reward: 900 })).toBe(true);
  });
});
