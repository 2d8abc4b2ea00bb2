import { legacyLeaseMs } from '../../server/rest/legacy/fetch-todo.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { roundAt } from '../../server/rounds/round-clock.js';
import { SwarmSpecSchema, EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { signLegacy } from '../../shared/envelope.js';
import { eventCounts, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { KoiiWorker, row, stateSnapshot, QUIET } from './legacy-client.js';

const PR = 'https://github.com/koii-labs/docs/pull/7';

describe('legacy REST: an unmodified Koii worker', () => {
  it('drives fetch-todo → add-todo-pr → add-round-number → check-todo and gets each documented response', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'bounty-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'alice-gh' });

    const fetched = await worker.fetchTodo();
    expect(fetched.status).toBe(200);
    expect(fetched.json).toEqual({
      success: true,
      role: 'worker',
      data: { id: 'bounty-1', repo_owner: 'koii-labs', repo_name: 'docs', swarm: SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC) },
    });
    const claimed = row(core, 'SELECT * FROM todos WHERE id = ?', todo.id);
    expect(claimed).toMatchObject({ status: 'in_progress', holder_key: worker.stakingKey, attempts: 1 });
    const assignment = row(core, 'SELECT * FROM assignments WHERE todo_id = ?', todo.id);
    expect(assignment).toMatchObject({ staking_key: worker.stakingKey, github_username: 'alice-gh', outcome: 'active' });
    // Legacy claims get the queue's normal lease.
    // A Koii worker sends no heartbeats, so its lease spans a round (at least 20 min), not the heartbeat lease.
    expect(assignment.lease_expires_at - assignment.claimed_at).toBe(legacyLeaseMs(core));
    expect(legacyLeaseMs(core)).toBeGreaterThanOrEqual(20 * 60_000);

    const pr = await worker.addTodoPr('bounty-1', PR);
    expect(pr.status).toBe(200);
    expect(pr.json).toEqual({ success: true, message: 'PR URL updated', swarmBountyId: 'bounty-1' });
    expect(row(core, 'SELECT status, pr_url, lease_token FROM todos WHERE id = ?', todo.id)).toEqual({
      status: 'pr_received',
      pr_url: PR,
      lease_token: null,
    });

    const before = roundAt(core.rounds, Date.now()) - 1;
    const round = await worker.addRoundNumber('bounty-1', PR);
    const after = roundAt(core.rounds, Date.now()) - 1;
    expect(round.status).toBe(200);
    // Upstream answered `swarmBountyId: undefined` here; the id is returned.
    expect(round.json).toEqual({ success: true, message: 'Round number added', swarmBountyId: 'bounty-1' });
    const reviewed = row(core, 'SELECT status, round FROM todos WHERE id = ?', todo.id);
    expect(reviewed.status).toBe('in_review');
    expect(reviewed.round).toBeGreaterThanOrEqual(before);
    expect(reviewed.round).toBeLessThanOrEqual(after);
    expect(row(core, 'SELECT round, pr_url, outcome FROM assignments WHERE todo_id = ?', todo.id)).toEqual({
      round: reviewed.round,
      pr_url: PR,
      outcome: 'completed',
    });
    expect(eventCounts(core, todo.id)).toMatchObject({ 'todo.claimed': 1, 'todo.submitted': 1, 'todo.in_review': 1 });

    const auditor = new KoiiWorker(t.url, t.stakedWorker());
    const check = await auditor.checkTodo(worker.stakingKey, reviewed.round, 'alice-gh', PR);
    expect(check.status).toBe(200);
    expect(check.json).toEqual({ success: true, message: 'Todo assignment verified successfully' });
    // Koii's auditor sends the round as it has it; a numeric string is the same round. GitHub logins ignore case.
    expect((await auditor.checkTodo(worker.stakingKey, String(reviewed.round), 'Alice-GH', PR)).status).toBe(200);

    const miss = { success: false, message: 'No matching todo assignment found' };
    for (const wrong of [
      auditor.checkTodo(worker.stakingKey, reviewed.round + 1, 'alice-gh', PR),
      auditor.checkTodo(worker.stakingKey, reviewed.round, 'alice-gh', `${PR}0`),
      auditor.checkTodo(worker.stakingKey, reviewed.round, 'mallory', PR),
      auditor.checkTodo(auditor.stakingKey, reviewed.round, 'alice-gh', PR),
      auditor.checkTodo(worker.stakingKey, 'round one', 'alice-gh', PR),
    ]) {
      const reply = await wrong;
      expect(reply.status).toBe(409);
      expect(reply.json).toEqual(miss);
    }
  });

  it('accepts signatures made with tweetnacl + bs58 exactly as namespaceWrapper.payloadSigning makes them', async () => {
    await using t = await startTestCoordinator(QUIET);
    const { todo } = createTodo(t.coordinator.core, todoInput({ repo: 'koii-labs/docs' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const payload = worker.fetchTodoPayload();
    // payloadSigning: bs58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(body)), secretKey))
    const koii = bs58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(payload)), worker.staking.secretKey));
    expect(signLegacy(payload, worker.staking.secretKey)).toBe(koii);

    const reply = await worker.post('fetch-todo', { signature: koii, stakingKey: worker.stakingKey });
    expect(reply.status).toBe(200);
    // A todo without a bounty id is named by its id.
    expect(reply.json.data.id).toBe(String(todo.id));
  });

  it('serves todos without a repository with null repo fields and the swarm spec', async () => {
    await using t = await startTestCoordinator(QUIET);
    const spec = { ...EXAMPLE_SWARM_SPEC, swarm_type: 'SequentialWorkflow', task: 'Summarize the quarter' };
    const { todo } = createTodo(t.coordinator.core, todoInput({ spec }));
    const reply = await new KoiiWorker(t.url, t.stakedWorker()).fetchTodo();
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ id: String(todo.id), repo_owner: null, repo_name: null, swarm: todo.spec });
    expect(reply.json.data.swarm.swarm_type).toBe('SequentialWorkflow');
  });

  it('gives a worker still holding its todo the same todo again, and once its PR is in, "Task already completed"', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    createTodo(core, todoInput({ repo: 'koii-labs/site', bountyId: 'b-2' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());

    const first = await worker.fetchTodo();
    expect(first.json.data.id).toBe('b-1');
    const state = stateSnapshot(core);
    const again = await worker.fetchTodo();
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(stateSnapshot(core)).toEqual(state);

    expect((await worker.addTodoPr('b-1', PR)).status).toBe(200);
    const done = await worker.fetchTodo();
    expect(done.status).toBe(401);
    expect(done.json).toEqual({ success: false, message: 'Task already completed' });
    expect(row(core, `SELECT count(*) AS n FROM todos WHERE status = 'initialized'`).n).toBe(1);
  });

  it('never gives a todo to the same GitHub user twice, whatever the staking key', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const first = new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'same-user' });
    expect((await first.fetchTodo()).status).toBe(200);
    expect((await first.addTodoStatus('b-1')).status).toBe(200);

    const sameUser = new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'Same-User' });
    const reply = await sameUser.fetchTodo();
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ success: false, message: 'No available todos found' });
    expect((await new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'other' }).fetchTodo()).status).toBe(200);
  });
});
