import { roundAt } from '../../server/rounds/round-clock.js';
import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { balances, roundDetail } from '../../server/rounds/index.js';
import { fetchVerified } from '../../shared/ipfs/fetch-verified.js';
import { bodyCarriesCid } from '../../shared/github/pr-body.js';
import type { SwarmType } from '../../shared/swarm-spec.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { startGitHubStub } from '../helpers/github-stub.js';
import { testWorkers } from './helpers.js';
import { specFor } from './swarm-specs.js';

interface SubmissionRow {
  id: number;
  todo_id: number;
  round: number;
  staking_key: string;
  submission_cid: string;
  pr_url: string | null;
  status: string;
  approvals: number;
  rejections: number;
}

const TYPES: SwarmType[] = ['ConcurrentWorkflow', 'SequentialWorkflow', 'MajorityVoting', 'AgentRearrange', 'GroupChat', 'MixtureOfAgents', 'HiearchicalSwarm', 'MultiAgentRouter'];

describe('three workers, end to end against a real coordinator', () => {
  it('process todos of several swarm types (one with a GitHub PR) to done, with votes and payouts', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    const core = t.coordinator.core;
    const github = await startGitHubStub({ tokens: { 'tok-alice': 'alice', 'tok-bob': 'bob', 'tok-carol': 'carol' } });
    try {
      github.createRepo({ owner: 'acme', name: 'reports', files: { 'README.md': '# reports\n' } });
      await using workers = testWorkers(t);
      for (const [user, token] of [['alice', 'tok-alice'], ['bob', 'tok-bob'], ['carol', 'tok-carol']] as const) {
        // No taskId given: each worker learns it from the coordinator.
        await workers.add({ githubUsername: user, githubToken: token, githubApiUrl: github.apiUrl, concurrency: 2 });
      }
      const keys = new Set(workers.list.map((w) => w.keypair.publicKeyBase58));

      const todoIds = TYPES.map((type) => createTodo(core, { spec: specFor(type), priority: 0 }).todo.id);
      const prTodo = createTodo(core, { spec: specFor('SequentialWorkflow', 'Quarterly report'), repo: 'acme/reports', priority: 0 }).todo.id;
      todoIds.push(prTodo);

      await vi.waitFor(
        () => {
          for (const id of todoIds) expect(getTodo(core, id).status, `todo ${id}`).toBe('done');
        },
        { timeout: 50_000, interval: 100 },
      );

      const submissions = core.sqlite.prepare('SELECT * FROM submissions ORDER BY id').all() as SubmissionRow[];
      expect(submissions.map((s) => s.todo_id).sort((a, b) => a - b)).toEqual([...todoIds].sort((a, b) => a - b));
      for (const s of submissions) {
        expect(keys.has(s.staking_key)).toBe(true);
        expect(s.status).toBe('approved');
        // Quorum 3 with three workers: the two that did not submit audit, both vote approve.
        const votes = core.sqlite.prepare(`SELECT auditor_key, status, vote, reason, signed_vote FROM audits WHERE submission_id = ? AND status = 'voted'`).all(s.id) as {
          auditor_key: string;
          vote: string;
          reason: string;
          signed_vote: string;
        }[];
        expect(votes).toHaveLength(2);
        for (const vote of votes) {
          expect(vote.auditor_key).not.toBe(s.staking_key);
          expect(vote.vote).toBe('approve');
          expect(vote.reason).toMatch(/^all checks passed: submission CID matches its bytes; signed by .+; assignment \d+ on record; output CID matches its bytes; output sha256 matches; well-formed /);
          expect(JSON.parse(vote.signed_vote)).toMatchObject({ stakingKey: vote.auditor_key, payload: { action: 'audits.vote', auditId: expect.any(Number) } });
        }
      }

      // The PR todo: a real PR on the (stub) GitHub, its body carrying the submission CID, checked by both auditors.
      const prSubmission = submissions.find((s) => s.todo_id === prTodo)!;
      expect(prSubmission.pr_url).toMatch(new RegExp(`^${github.url}/acme/reports/pull/\\d+$`));
      const [pull] = github.pulls('acme', 'reports');
      expect(bodyCarriesCid(pull!.body, prSubmission.submission_cid)).toBe(true);
      expect(getTodo(core, prTodo).prUrl).toBe(prSubmission.pr_url);
      const prVotes = core.sqlite.prepare(`SELECT reason FROM audits WHERE submission_id = ? AND status = 'voted'`).all(prSubmission.id) as { reason: string }[];
      for (const vote of prVotes) expect(vote.reason).toMatch(new RegExp(`PR #${pull!.number} by ${pull!.author} carries the CID`));

      // The stored proof: the signed record by the submitter, naming the output.
      const record = JSON.parse(new TextDecoder().decode(await fetchVerified(t.url, prSubmission.submission_cid))) as { record: { todoId: number; prUrl: string; githubUsername: string } };
      expect(record.record).toMatchObject({ todoId: prTodo, prUrl: prSubmission.pr_url, githubUsername: pull!.author });

      // Payouts: every round with submissions is tallied; each tally's signed list pays exactly the
      // submissions it approved (a submission whose audits were still open is paid by a later tally).
      const rounds = [...new Set(submissions.map((s) => s.round))];
      const current = roundAt(core.rounds, Date.now());
      await vi.waitFor(
        () => {
          for (const r of rounds) expect(roundDetail(core, r).distributionCid, `round ${r}`).not.toBeNull();
        },
        { timeout: 20_000, interval: 100 },
      );
      const reward = getTodo(core, todoIds[0]!).reward;
      const expected = new Map<string, number>();
      const paid: number[] = [];
      for (let r = Math.min(...rounds); r <= current; r++) {
        const detail = roundDetail(core, r);
        const perKey: Record<string, number> = {};
        for (const p of detail.payouts) {
          expect(p.amount).toBe(reward);
          perKey[p.stakingKey] = (perKey[p.stakingKey] ?? 0) + p.amount;
          paid.push(p.submissionId);
        }
        expect(detail.distribution).toEqual(perKey);
        for (const [key, amount] of Object.entries(perKey)) expected.set(key, (expected.get(key) ?? 0) + amount);
      }
      expect(paid.sort((a, b) => a - b)).toEqual(submissions.map((s) => s.id).sort((a, b) => a - b));
      const ledger = balances(core);
      expect(Object.fromEntries(ledger.map((b) => [b.stakingKey, b.balance]))).toEqual(Object.fromEntries(expected));
      expect(ledger.reduce((sum, b) => sum + b.balance, 0)).toBe(reward * todoIds.length);

      // Each worker's outbox is empty and its events tell the same story.
      for (const w of workers.list) {
        expect(w.worker.status()).toMatchObject({ connected: true, pendingSubmissions: 0, state: 'running' });
        const claimed = w.eventsOf('claimed').map((e) => e.todoId);
        expect(w.eventsOf('submitted').map((e) => e.todoId).sort()).toEqual(
          submissions.filter((s) => s.staking_key === w.keypair.publicKeyBase58).map((s) => s.todo_id).sort(),
        );
        expect(claimed.length).toBeGreaterThanOrEqual(w.eventsOf('submitted').length);
        expect(w.eventsOf('voted').length).toBe(w.eventsOf('audited').length);
      }
    } finally {
      await github.close();
    }
  });
});
