import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { DEMO_WORK } from '../../client/cli/demo-work.js';
import { tempDir } from '../helpers/coordinator.js';
import { freePort, type Proc } from '../helpers/processes.js';
import { adminClient, prepareDataDir, startServer, startWorker, stopAll } from './helpers.js';

type Admin = ReturnType<typeof adminClient>;

async function allTodos(admin: Admin) {
  return (await admin.todos.list.query({ limit: 500 })).todos;
}

/** Every round that has submissions, with its details. */
async function roundsWithWork(admin: Admin) {
  const current = (await admin.rounds.current.query()).number;
  const details = [];
  for (let n = current; n >= Math.max(0, current - 60); n--) {
    const detail = await admin.rounds.get.query({ number: n });
    if (detail.submissions.length > 0 || detail.payouts.length > 0) details.push(detail);
  }
  return details;
}

/**
 * Every round's signed list pays exactly what its tally decided (its payouts), every approved
 * submission is paid once, by its todo's reward, and the ledger balances equal the lists' sums.
 */
async function checkPayoutsAddUp(admin: Admin) {
  const rounds = await roundsWithWork(admin);
  const todos = new Map((await allTodos(admin)).map((t) => [t.id, t]));
  const earned = new Map<string, number>();
  const paidSubmissions: number[] = [];
  for (const round of rounds.filter((r) => r.status === 'tallied')) {
    const fromPayouts: Record<string, number> = {};
    for (const p of round.payouts) {
      expect(p.amount).toBe(todos.get(p.todoId)!.reward);
      fromPayouts[p.stakingKey] = (fromPayouts[p.stakingKey] ?? 0) + p.amount;
      paidSubmissions.push(p.submissionId);
    }
    expect(round.distribution).toEqual(fromPayouts);
    expect(round.distributionCid).toMatch(/^b/);
    for (const [key, amount] of Object.entries(round.distribution)) earned.set(key, (earned.get(key) ?? 0) + amount);
  }
  const approved = rounds.flatMap((r) => r.submissions).filter((s) => s.status === 'approved').map((s) => s.id);
  expect(paidSubmissions.sort((a, b) => a - b)).toEqual(approved.sort((a, b) => a - b));
  const balances = await admin.rounds.balances.query({});
  expect(Object.fromEntries(balances.map((b) => [b.stakingKey, b.balance]))).toEqual(Object.fromEntries(earned));
  return rounds;
}

describe('the whole loop, coordinator and workers as separate processes', () => {
  it('carries a batch of several swarm types to done, audited by the others, paid per round', async () => {
    using dir = tempDir();
    const { apiKey, keys } = prepareDataDir(dir.path, 3);
    const server = await startServer(dir.path);
    const procs: Proc[] = [server];
    try {
      const workers = keys.map((key, i) => startWorker(server.url, key.file, join(dir.path, `w${i}`), ['--payout-check-ms', '500']));
      procs.push(...workers);
      const admin = adminClient(server.url, apiKey);
      const created: number[] = [];
      for (const spec of [...DEMO_WORK, ...DEMO_WORK]) created.push((await admin.todos.create.mutate({ spec: SwarmSpecSchema.parse(spec) })).todo.id);

      await vi.waitFor(
        async () => {
          const todos = await allTodos(admin);
          expect(todos.filter((t) => created.includes(t.id)).map((t) => t.status)).toEqual(created.map(() => 'done'));
        },
        { timeout: 120_000, interval: 500 },
      );
      // Wait for the last round with approved work to be tallied and published.
      await vi.waitFor(
        async () => {
          const rounds = await roundsWithWork(admin);
          expect(rounds.every((r) => r.status === 'tallied' && r.distributionCid)).toBe(true);
        },
        { timeout: 60_000, interval: 500 },
      );
      const rounds = await checkPayoutsAddUp(admin);
      const submissions = rounds.flatMap((r) => r.submissions);
      expect(submissions.filter((s) => s.status === 'approved').map((s) => s.todoId).sort()).toEqual([...created].sort());
      for (const s of submissions) {
        // Quorum 3, never the submitter: the two other workers vote on each submission.
        expect(s.votes.filter((v) => v.status === 'voted').map((v) => v.vote)).toEqual(['approve', 'approve']);
        expect(s.votes.every((v) => v.auditorKey !== s.stakingKey)).toBe(true);
      }
      // Each worker verified every list that paid it (CID, coordinator signature) and read its own amount.
      await vi.waitFor(
        () => {
          for (const [i, key] of keys.entries()) {
            const verified = workers[i]!.output.flatMap((line) => {
              const event = line.startsWith('{') ? (JSON.parse(line) as { type: string; round?: number; amount?: number }) : null;
              return event?.type === 'payout_verified' ? [[event.round, event.amount]] : [];
            });
            const paying = rounds.filter((r) => r.distribution[key.keypair.publicKeyBase58]).map((r) => [r.number, r.distribution[key.keypair.publicKeyBase58]]);
            expect(verified.sort()).toEqual(paying.sort());
          }
        },
        { timeout: 20_000, interval: 200 },
      );
      expect(procs.flatMap((p) => p.output).filter((line) => line.includes('payout_invalid'))).toEqual([]);
    } catch (error) {
      for (const p of procs) console.error(p.output.slice(-20).join('\n'));
      throw error;
    } finally {
      await stopAll(procs);
    }
  });

  it('kill -9 of a worker mid-run: its todo is claimed again after the lease and finishes', async () => {
    using dir = tempDir();
    const { apiKey, keys } = prepareDataDir(dir.path, 3);
    const server = await startServer(dir.path);
    const procs: Proc[] = [server];
    try {
      const admin = adminClient(server.url, apiKey);
      // The first worker's model takes a minute, so it is surely mid-run when killed.
      const slow = startWorker(server.url, keys[0]!.file, join(dir.path, 'w0'), ['--no-audit'], { SWARMTASK_OFFLINE_LATENCY_MS: '60000' });
      procs.push(slow);
      const { todo } = await admin.todos.create.mutate({ spec: SwarmSpecSchema.parse(DEMO_WORK[0]) });
      await vi.waitFor(async () => expect((await admin.todos.get.query({ id: todo.id })).holderKey).toBe(keys[0]!.keypair.publicKeyBase58), {
        timeout: 30_000,
        interval: 200,
      });
      await slow.kill('SIGKILL');
      for (const [i, key] of keys.slice(1).entries()) procs.push(startWorker(server.url, key.file, join(dir.path, `w${i + 1}`)));
      await vi.waitFor(async () => expect((await admin.todos.get.query({ id: todo.id })).status).toBe('done'), { timeout: 90_000, interval: 500 });
      const final = await admin.todos.get.query({ id: todo.id });
      expect(final.attempts).toBe(2);
      expect(final.holderKey).not.toBe(keys[0]!.keypair.publicKeyBase58);
    } catch (error) {
      for (const p of procs) console.error(p.output.slice(-20).join('\n'));
      throw error;
    } finally {
      await stopAll(procs);
    }
  });

  it('kill -9 of the coordinator mid-batch: after restart the pending submissions arrive, nothing is lost or paid twice', async () => {
    using dir = tempDir();
    const { apiKey, keys } = prepareDataDir(dir.path, 3);
    const port = await freePort();
    let server = await startServer(dir.path, port);
    const procs: Proc[] = [];
    try {
      for (const [i, key] of keys.entries()) procs.push(startWorker(server.url, key.file, join(dir.path, `w${i}`)));
      let admin = adminClient(server.url, apiKey);
      const created: number[] = [];
      for (const spec of [...DEMO_WORK, ...DEMO_WORK]) created.push((await admin.todos.create.mutate({ spec: SwarmSpecSchema.parse(spec) })).todo.id);
      // Crash once some work was reported but before everything was submitted.
      await vi.waitFor(async () => expect((await allTodos(admin)).some((t) => t.status !== 'initialized')).toBe(true), { timeout: 30_000, interval: 100 });
      await server.kill('SIGKILL');
      server = await startServer(dir.path, port);
      admin = adminClient(server.url, apiKey);
      await vi.waitFor(
        async () => expect((await allTodos(admin)).filter((t) => created.includes(t.id)).map((t) => t.status)).toEqual(created.map(() => 'done')),
        { timeout: 150_000, interval: 500 },
      );
      await vi.waitFor(async () => expect((await roundsWithWork(admin)).every((r) => r.status === 'tallied' && r.distributionCid)).toBe(true), {
        timeout: 60_000,
        interval: 500,
      });
      const rounds = await checkPayoutsAddUp(admin);
      const approved = rounds.flatMap((r) => r.submissions).filter((s) => s.status === 'approved');
      // Each todo paid once.
      expect(approved.map((s) => s.todoId).sort()).toEqual([...created].sort());
    } catch (error) {
      for (const p of [server, ...procs]) console.error(p.output.slice(-20).join('\n'));
      throw error;
    } finally {
      await stopAll([server, ...procs]);
    }
  });
});
