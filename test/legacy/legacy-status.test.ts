import { describe, expect, it } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { sweepQueue } from '../../server/queue/sweep-queue.js';
import { eventCounts, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { KoiiWorker, row, rows, stateSnapshot, QUIET } from './legacy-client.js';

const DRAFT = 'https://github.com/koii-labs/docs/pull/7';
const FINAL = 'https://github.com/koii-labs/docs/pull/8';

describe('legacy REST: status changes', () => {
  it('add-todo-draft-pr sets draft_pr_received (upstream set pr_received), keeps and extends the lease; add-todo-pr then finishes it', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();
    const claimed = row(core, 'SELECT lease_token, lease_expires_at FROM todos WHERE id = ?', todo.id);

    const draft = await worker.addTodoDraftPr('b-1', DRAFT);
    expect(draft.status).toBe(200);
    expect(draft.json).toEqual({ success: true, message: 'PR URL updated', swarmBountyId: 'b-1' });
    const drafted = row(core, 'SELECT status, pr_url, lease_token, lease_expires_at, holder_key FROM todos WHERE id = ?', todo.id);
    expect(drafted).toMatchObject({ status: 'draft_pr_received', pr_url: DRAFT, lease_token: claimed.lease_token, holder_key: worker.stakingKey });
    expect(drafted.lease_expires_at).toBeGreaterThanOrEqual(claimed.lease_expires_at);
    expect(row(core, 'SELECT pr_url, outcome, lease_expires_at FROM assignments WHERE todo_id = ?', todo.id)).toEqual({
      pr_url: DRAFT,
      outcome: 'active',
      lease_expires_at: drafted.lease_expires_at,
    });
    expect(eventCounts(core, todo.id)['todo.draft_pr_received']).toBe(1);
    // A draft counts as a PR: the worker is not handed other work meanwhile.
    createTodo(core, todoInput({ repo: 'koii-labs/site' }));
    expect((await worker.fetchTodo()).json).toEqual({ success: false, message: 'Task already completed' });

    expect((await worker.addTodoPr('b-1', FINAL)).status).toBe(200);
    expect(row(core, 'SELECT status, pr_url, lease_token FROM todos WHERE id = ?', todo.id)).toEqual({
      status: 'pr_received',
      pr_url: FINAL,
      lease_token: null,
    });
    expect((await worker.addRoundNumber('b-1', FINAL)).status).toBe(200);
    expect(row(core, 'SELECT status FROM todos WHERE id = ?', todo.id).status).toBe('in_review');
  });

  it('a draft whose lease runs out returns to the queue, and the late worker can no longer report', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();
    await worker.addTodoDraftPr('b-1', DRAFT);
    const { lease_expires_at: expiresAt } = row(core, 'SELECT lease_expires_at FROM todos WHERE id = ?', todo.id);

    expect(sweepQueue(core, expiresAt).expiredLeases).toBe(0);
    expect(sweepQueue(core, expiresAt + 1).expiredLeases).toBe(1);
    expect(row(core, 'SELECT status, holder_key, lease_token, attempts FROM todos WHERE id = ?', todo.id)).toEqual({
      status: 'initialized',
      holder_key: null,
      lease_token: null,
      attempts: 1,
    });
    expect(row(core, 'SELECT outcome FROM assignments WHERE todo_id = ?', todo.id).outcome).toBe('expired');
    expect((await worker.addTodoPr('b-1', FINAL)).json).toEqual({ success: false, message: 'Failed to update PR URL' });
  });

  it('add-todo-status returns the todo to the queue at once (upstream\'s query never matched); another worker gets it, the same one never', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();

    const reply = await worker.addTodoStatus('b-1');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ success: true, message: 'Status updated' });
    expect(row(core, 'SELECT status, holder_key, lease_token, attempts, last_error FROM todos WHERE id = ?', todo.id)).toEqual({
      status: 'initialized',
      holder_key: null,
      lease_token: null,
      attempts: 1,
      last_error: 'worker reported failure (add-todo-status)',
    });
    expect(row(core, 'SELECT outcome FROM assignments WHERE todo_id = ?', todo.id).outcome).toBe('failed');
    expect(eventCounts(core, todo.id)).toMatchObject({ 'todo.failed_attempt': 1, 'todo.available': 2 });

    expect((await worker.fetchTodo()).json).toEqual({ success: false, message: 'No available todos found' });
    const next = await new KoiiWorker(t.url, t.stakedWorker()).fetchTodo();
    expect(next.json.data.id).toBe('b-1');
  });

  it('add-todo-status on the last attempt fails the todo; on a draft it ends the draft\'s lease', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo: last } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1', maxAttempts: 1 }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();
    expect((await worker.addTodoStatus('b-1')).status).toBe(200);
    expect(row(core, 'SELECT status FROM todos WHERE id = ?', last.id).status).toBe('failed');
    expect(eventCounts(core, last.id)['todo.failed']).toBe(1);

    const { todo: drafted } = createTodo(core, todoInput({ repo: 'koii-labs/site', bountyId: 'b-2' }));
    await worker.fetchTodo();
    await worker.addTodoDraftPr('b-2', DRAFT);
    expect((await worker.addTodoStatus('b-2')).status).toBe(200);
    expect(row(core, 'SELECT status, holder_key FROM todos WHERE id = ?', drafted.id)).toEqual({ status: 'initialized', holder_key: null });
  });

  it('add-failed-info stores the error, tied to the todo the key was assigned', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();

    const reply = await worker.addFailedInfo('b-1', 'git clone: repository not found');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ message: 'Failed info added' });
    // A bounty the key never held is still logged (as upstream), just not tied to a todo.
    expect((await worker.addFailedInfo('b-unknown', 'timeout')).json).toEqual({ message: 'Failed info added' });
    expect(rows(core, 'SELECT todo_id, bounty_id, staking_key, error FROM todo_errors ORDER BY id')).toEqual([
      { todo_id: todo.id, bounty_id: 'b-1', staking_key: worker.stakingKey, error: 'git clone: repository not found' },
      { todo_id: null, bounty_id: 'b-unknown', staking_key: worker.stakingKey, error: 'timeout' },
    ]);
    expect(eventCounts(core, todo.id)['todo.error_reported']).toBe(1);
    // Reporting an error changes nothing about the todo itself.
    expect(row(core, 'SELECT status FROM todos WHERE id = ?', todo.id).status).toBe('in_progress');

    const impostor = new KoiiWorker(t.url, t.stakedWorker());
    const state = stateSnapshot(core);
    const forged = await worker.post('add-failed-info', {
      signature: impostor.sign({ taskId: worker.taskId, action: 'add-failed-info', stakingKey: worker.stakingKey, swarmBountyId: 'b-1', error: 'x' }),
      stakingKey: worker.stakingKey,
    });
    expect(forged.status).toBe(401);
    expect(forged.json).toEqual({ success: false, message: 'Failed to verify signature' });
    expect(stateSnapshot(core)).toEqual(state);
  });
});
