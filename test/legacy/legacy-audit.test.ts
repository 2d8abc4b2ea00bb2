import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { balances, roundDetail } from '../../server/rounds/index.js';
import { todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from '../worker/helpers.js';
import { KoiiWorker } from './legacy-client.js';

const PR = 'https://github.com/koii-labs/docs/pull/7';

describe('legacy work is audited and paid like any other', () => {
  it('a Koii worker’s PR claim becomes a submission; the other nodes verify its signature and approve; it is paid', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100, auditTimeoutMs: 10_000 });
    const core = t.coordinator.core;
    const { todo } = createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'bounty-7', reward: 250 }));
    const koii = new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'koii-dev' });
    expect((await koii.fetchTodo()).status).toBe(200);
    expect((await koii.addTodoPr('bounty-7', PR)).status).toBe(200);
    expect((await koii.addRoundNumber('bounty-7', PR)).status).toBe(200);

    await using workers = testWorkers(t);
    await workers.add();
    await workers.add();
    await vi.waitFor(() => expect(getTodo(core, todo.id).status).toBe('done'), { timeout: 30_000, interval: 100 });

    const submission = core.sqlite.prepare('SELECT id, round, status FROM submissions WHERE todo_id = ?').get(todo.id) as { id: number; round: number; status: string };
    expect(submission.status).toBe('approved');
    const detail = roundDetail(core, submission.round);
    const votes = detail.submissions.find((s) => s.id === submission.id)!.votes;
    expect(votes.map((v) => v.vote)).toEqual(['approve', 'approve']);
    expect(votes[0]!.reason).toMatch(/legacy worker signature/);
    expect(balances(core, koii.stakingKey)).toEqual([{ stakingKey: koii.stakingKey, balance: 250 }]);
  });
});
