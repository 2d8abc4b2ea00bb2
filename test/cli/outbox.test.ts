import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCoordinatorPin } from '../../client/worker/coordinator-pin.js';
import { SpendLedger } from '../../client/worker/spend-ledger.js';
import { SubmissionStore, type NewSubmission } from '../../client/worker/submission-store.js';
import { cidForBytes } from '../../shared/cid.js';
import { generateKeypair } from '../../shared/keypair.js';
import { tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

const stakingKey = generateKeypair().publicKeyBase58;
const coordinatorKey = generateKeypair().publicKeyBase58;

async function entry(todoId: number, round: number): Promise<NewSubmission> {
  const cid = (text: string) => cidForBytes(new TextEncoder().encode(text));
  return {
    stakingKey,
    taskId: 'task-1',
    todoId,
    leaseToken: `lease-${todoId}`,
    round,
    resultCid: await cid(`output ${todoId}`),
    submissionCid: await cid(`record ${todoId}`),
    prUrl: null,
    result: {},
  };
}

/** A worker data dir with one entry in each state (ids 1..5 = todos 11..15) and a pinned key. */
async function outboxInEveryState(dataDir: string, now: number): Promise<void> {
  const store = new SubmissionStore(dataDir);
  try {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(store.add(await entry(11 + i, 100), now - (5 - i) * 60_000).id);
    store.noteReportAttempt(ids[0]!, now);
    store.defer(ids[0]!, 'connect ECONNREFUSED 127.0.0.1:8787', now + 90_000, now);
    store.markReported(ids[1]!, now);
    store.markSent(ids[2]!, 42, now);
    store.markRefused(ids[3]!, 'CONFLICT: SUBMISSION_ROUND_CLOSED: round 100 is over', now);
    store.markDropped(ids[4]!, 'lease lost before the result was reported', now);
  } finally {
    store.close();
  }
  writeCoordinatorPin(dataDir, 'task-1', { key: coordinatorKey, source: 'first contact', pinnedAt: '2026-12-02T05:00:00.000Z' });
  const ledger = new SpendLedger(dataDir);
  ledger.record({ todoId: 11, at: now - 25 * 3_600_000, costUsd: 5, tokens: 99_999, calls: 9 }); // a day ago: left out
  ledger.record({ todoId: 12, at: now - 3_600_000, costUsd: 0.0123, tokens: 4567, calls: 3 });
  ledger.close();
}

describe('swarmtask outbox', () => {
  it("shows a worker's submissions by state, newest first, with what happens next to each", async () => {
    using dir = tempDir();
    const dataDir = join(dir.path, 'worker-data');
    await outboxInEveryState(dataDir, Date.now());

    const human = await runCli(['outbox', '--data', dataDir]);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `outbox ${dataDir}/worker.db: 5 submissions: 1 to report, 1 to submit, 1 sent, 1 refused, 1 dropped`,
      `coordinator key of task task-1: ${coordinatorKey} (first contact, 2026-12-02T05:00:00.000Z)`,
      'spent on models in the last 24 h: $0.0123, 4,567 tokens, 3 calls in 1 run',
      '',
    ]);
    lines.splice(2, 1);
    expect(lines[3]).toMatch(/^id\s+todo\s+round\s+state\s+created\s+submission\s+note$/);
    const notes = lines.slice(4).map((line) => line.split(/\s{2,}/));
    expect(notes.map((cells) => [cells[0], cells[1], cells[3], cells.at(-1)])).toEqual([
      ['5', '15', 'dropped', 'never reported: lease lost before the result was reported'],
      ['4', '14', 'refused', 'refused: CONFLICT: SUBMISSION_ROUND_CLOSED: round 100 is over'],
      ['3', '13', 'sent', 'accepted as submission 42'],
      ['2', '12', 'reported', 'submit: 0 tries, due now'],
      [expect.any(String), expect.any(String), expect.any(String), expect.stringMatching(/^report: 1 try, next try in 1 min( \d+ s)? \(last: connect ECONNREFUSED 127\.0\.0\.1:8787\)$/)],
    ]);
    expect(lines[8]!.startsWith('1 ')).toBe(true);

    const pending = JSON.parse((await runCli(['outbox', '--data', dataDir, '--state', 'pending', '--json'])).stdout) as { submissions: { id: number; state: string }[]; more: boolean };
    expect(pending.submissions.map((s) => [s.id, s.state])).toEqual([
      [2, 'reported'],
      [1, 'unreported'],
    ]);
    const oneTodo = JSON.parse((await runCli(['outbox', '--data', dataDir, '--todo', '13', '--json'])).stdout) as { submissions: { todoId: number }[] };
    expect(oneTodo.submissions.map((s) => s.todoId)).toEqual([13]);

    const limited = await runCli(['outbox', '--data', dataDir, '--state', 'sent,refused,dropped', '--limit', '2']);
    expect(limited.stdout.trimEnd().split('\n').slice(5)).toEqual([expect.stringMatching(/^5 /), expect.stringMatching(/^4 /), '(the newest 2 shown; --limit N for more)']);
  });

  it('says where no outbox is, and names a bad flag', async () => {
    using dir = tempDir();
    const missing = join(dir.path, 'nothing-here');
    expect(await runCli(['outbox', '--data', missing])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `swarmtask: no worker outbox in ${missing} (a worker started with --data ${missing} keeps its worker.db there)\n`,
    });
    const dataDir = join(dir.path, 'worker-data');
    await outboxInEveryState(dataDir, Date.now());
    expect(await runCli(['outbox', '--data', dataDir, '--state', 'sent,lost'])).toMatchObject({
      code: 2,
      stderr: 'swarmtask: --state: unknown state "lost" (one of unreported, reported, sent, refused, dropped, pending)\n',
    });
    expect(await runCli(['outbox', '--data', dataDir, '--limit', '0'])).toMatchObject({ code: 2, stderr: 'swarmtask: --limit must be an integer from 1 to 10000, got 0\n' });
    expect(await runCli(['outbox', '--data', dataDir, '--todo', 'x'])).toMatchObject({ code: 2, stderr: 'swarmtask: --todo must be an integer, got "x"\n' });
  });
});
