import { describe, expect, it } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { KoiiWorker, row, stateSnapshot, type Endpoint, QUIET } from './legacy-client.js';

const PR = 'https://github.com/koii-labs/docs/pull/7';

describe('legacy REST: a replayed request never changes state a second time', () => {
  it('replays of add-todo-pr, add-round-number, add-todo-draft-pr and add-todo-status get the upstream error and change nothing', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    createTodo(core, todoInput({ repo: 'koii-labs/site', bountyId: 'b-2' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const other = new KoiiWorker(t.url, t.stakedWorker());

    const replayed = async (endpoint: Endpoint, body: unknown, first: number, again: unknown) => {
      const reply = await worker.post(endpoint, body);
      expect({ endpoint, status: reply.status }).toEqual({ endpoint, status: first });
      const state = stateSnapshot(core);
      const replay = await worker.post(endpoint, body);
      expect({ endpoint, status: replay.status, json: replay.json }).toEqual({ endpoint, status: 401, json: again });
      expect(stateSnapshot(core)).toEqual(state);
    };

    expect((await worker.fetchTodo()).json.data.id).toBe('b-1');
    await replayed('add-todo-draft-pr', worker.signed(worker.prPayload('b-1', `${PR}-draft`, 'add-todo-draft-pr')), 200, {
      success: false,
      message: 'Failed to update PR URL',
    });
    await replayed('add-todo-pr', worker.signed(worker.prPayload('b-1', PR)), 200, { success: false, message: 'Failed to update PR URL' });
    await replayed('add-round-number', worker.signed(worker.roundNumberPayload('b-1', PR)), 200, {
      success: false,
      message: 'Failed to add round number',
    });

    expect((await other.fetchTodo()).json.data.id).toBe('b-2');
    const status = other.signed(other.statusPayload('b-2'));
    expect((await other.post('add-todo-status', status)).status).toBe(200);
    // The todo went back to the queue; a third worker claims it; the replay must not return it again.
    const third = new KoiiWorker(t.url, t.stakedWorker());
    expect((await third.fetchTodo()).json.data.id).toBe('b-2');
    const state = stateSnapshot(core);
    const replay = await other.post('add-todo-status', status);
    expect(replay.status).toBe(401);
    expect(replay.json).toEqual({ success: false, message: 'Failed to update status' });
    expect(stateSnapshot(core)).toEqual(state);
    expect(row(core, `SELECT status, holder_key, attempts FROM todos WHERE bounty_id = 'b-2'`)).toEqual({
      status: 'in_progress',
      holder_key: third.stakingKey,
      attempts: 2,
    });
  });

  it('two copies of one request racing: exactly one changes state', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();
    const body = worker.signed(worker.prPayload('b-1', PR));
    const replies = await Promise.all([worker.post('add-todo-pr', body), worker.post('add-todo-pr', body), worker.post('add-todo-pr', body)]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(row(core, `SELECT count(*) AS n FROM events WHERE type = 'todo.submitted'`).n).toBe(1);
    expect(row(core, 'SELECT count(*) AS n FROM legacy_requests WHERE action = ?', 'add-todo-pr').n).toBe(1);
  });

  it('fetch-todo: the worker\'s byte-identical signature claims once per claim it made, and a replay claims nothing more', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    createTodo(core, todoInput({ repo: 'koii-labs/site', bountyId: 'b-2' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    // The Koii worker's fetch payload never varies and Ed25519 is deterministic: every pass sends these bytes.
    const fetch = worker.signed(worker.fetchTodoPayload());
    expect(worker.signed(worker.fetchTodoPayload())).toEqual(fetch);

    expect((await worker.post('fetch-todo', fetch)).json.data.id).toBe('b-1');
    let state = stateSnapshot(core);
    expect((await worker.post('fetch-todo', fetch)).json.data.id).toBe('b-1');
    expect(stateSnapshot(core)).toEqual(state);

    // Its todo fails and goes back to the queue: its next pass (the same bytes) gets the next todo, once.
    expect((await worker.addTodoStatus('b-1')).status).toBe(200);
    expect((await worker.post('fetch-todo', fetch)).json.data.id).toBe('b-2');
    state = stateSnapshot(core);
    expect((await worker.post('fetch-todo', fetch)).json.data.id).toBe('b-2');
    expect(stateSnapshot(core)).toEqual(state);
    expect(row(core, 'SELECT count(*) AS n FROM assignments WHERE staking_key = ?', worker.stakingKey).n).toBe(2);
    expect(row(core, `SELECT count(*) AS n FROM legacy_requests WHERE action = 'fetch-todo'`).n).toBe(2);
  });

  it('fetch-todo with a timestamp in its payload is strictly one-shot', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    createTodo(core, todoInput({ repo: 'koii-labs/site', bountyId: 'b-2' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const fetch = worker.signed({ ...worker.fetchTodoPayload(), timestamp: Date.now() });
    expect((await worker.post('fetch-todo', fetch)).json.data.id).toBe('b-1');
    expect((await worker.addTodoStatus('b-1')).status).toBe(200);

    const state = stateSnapshot(core);
    const replay = await worker.post('fetch-todo', fetch);
    expect(replay.status).toBe(409);
    expect(replay.json).toEqual({ success: false, message: 'No available todos found' });
    expect(stateSnapshot(core)).toEqual(state);
    expect((await worker.post('fetch-todo', worker.signed({ ...worker.fetchTodoPayload(), timestamp: Date.now() + 1 }))).json.data.id).toBe('b-2');
  });

  it('add-failed-info: a replayed report, signed or not, is stored once', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    await worker.fetchTodo();

    const unsigned = { stakingKey: worker.stakingKey, swarmBountyId: 'b-1', error: 'clone failed' };
    expect((await worker.post('add-failed-info', unsigned)).json).toEqual({ message: 'Failed info added' });
    let state = stateSnapshot(core);
    const again = await worker.post('add-failed-info', unsigned);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ message: 'Failed info already exists' });
    expect(stateSnapshot(core)).toEqual(state);

    const signed = worker.signed({ taskId: worker.taskId, action: 'add-failed-info', stakingKey: worker.stakingKey, swarmBountyId: 'b-1', error: 'push rejected' });
    expect((await worker.post('add-failed-info', signed)).json).toEqual({ message: 'Failed info added' });
    state = stateSnapshot(core);
    expect((await worker.post('add-failed-info', signed)).json).toEqual({ message: 'Failed info already exists' });
    expect(stateSnapshot(core)).toEqual(state);
    expect(row(core, 'SELECT count(*) AS n FROM todo_errors').n).toBe(2);
  });
});
