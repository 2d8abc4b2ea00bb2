import { cachedStatement } from '../db/statements.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { ensureRound } from './ensure-round.js';
import { splitRewards } from './split-rewards.js';
import { forgetWorker } from '../auth/workers.js';
import { availableEventData } from '../queue/todo-events.js';

interface DecidableRow {
  id: number;
  todo_id: number;
  staking_key: string;
  approvals: number;
  rejections: number;
  reward: number;
}

export interface TallyResult {
  round: number;
  approved: number[];
  rejected: number[];
  distribution: Record<string, number>;
}

/**
 * Closes round `round` (call once round+1 has ended; runs inside the tick's transaction).
 * Every pending submission of this round or earlier whose votes are in (at least one cast, none
 * still open) is decided by the majority of cast votes (a tie is no majority: rejected). Approved
 * work earns its todo's reward (scaled down to the round's bounty cap), its todo is `done`;
 * rejected work earns nothing, may be slashed, and its todo goes back to the queue (or fails after
 * its last attempt). The round's distribution list is written to `payouts` and the ledger.
 */
export function tallyRound(core: Core, round: number, now: number): TallyResult {
  ensureRound(core, round);
  const decidable = cachedStatement(
    core.sqlite,
    `SELECT s.id, s.todo_id, s.staking_key, s.approvals, s.rejections, t.reward
     FROM submissions s JOIN todos t ON t.id = s.todo_id
     WHERE s.status = 'pending' AND s.round <= ? AND s.approvals + s.rejections > 0
       AND NOT EXISTS (SELECT 1 FROM audits a WHERE a.submission_id = s.id AND a.status = 'assigned')
     ORDER BY s.id`,
  ).all(round) as DecidableRow[];

  const approved = decidable.filter((s) => s.approvals > s.rejections);
  const rejected = decidable.filter((s) => s.approvals <= s.rejections);
  const amounts = splitRewards(
    approved.map((s) => ({ key: s.staking_key, reward: s.reward })),
    core.rounds.bountyCap,
  );

  const decide = cachedStatement(core.sqlite, `UPDATE submissions SET status = ?, decided_at = ? WHERE id = ?`);
  const finishTodo = cachedStatement(
    core.sqlite,
    `UPDATE todos SET status = 'done', updated_at = ? WHERE id = ? AND status = 'in_review' AND holder_key = ?`,
  );
  const reopenTodo = cachedStatement(
    core.sqlite,
    `UPDATE todos SET
       status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'initialized' END,
       announced = 1, available_at = ?, holder_key = NULL, round = NULL, last_error = 'audit rejected', updated_at = ?
     WHERE id = ? AND status = 'in_review' AND holder_key = ?
     RETURNING status, priority, reward, swarm_type`,
  );
  const ledger = cachedStatement(
    core.sqlite,
    `INSERT INTO ledger (staking_key, round, kind, amount, submission_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );

  approved.forEach((s, i) => {
    decide.run('approved', now, s.id);
    finishTodo.run(now, s.todo_id, s.staking_key);
    const amount = amounts[i]!;
    if (amount > 0) ledger.run(s.staking_key, round, 'reward', amount, s.id, now);
    appendEvent(core.sqlite, { type: 'submission.approved', todoId: s.todo_id, data: { submissionId: s.id, stakingKey: s.staking_key, amount, round } }, now);
    appendEvent(core.sqlite, { type: 'todo.done', todoId: s.todo_id, data: { submissionId: s.id } }, now);
  });
  for (const s of rejected) {
    decide.run('rejected', now, s.id);
    const reopened = reopenTodo.get(now, now, s.todo_id, s.staking_key) as
      | { status: string; priority: number; reward: number; swarm_type: string | null }
      | undefined;
    appendEvent(core.sqlite, { type: 'submission.rejected', todoId: s.todo_id, data: { submissionId: s.id, stakingKey: s.staking_key, round } }, now);
    if (reopened?.status === 'initialized') {
      const offer = availableEventData({ ...reopened, spec: { swarm_type: reopened.swarm_type ?? undefined } }, s.todo_id);
      appendEvent(core.sqlite, { type: 'todo.available', todoId: s.todo_id, data: { ...offer, reason: 'audit rejected' } }, now);
    } else if (reopened?.status === 'failed') {
      appendEvent(core.sqlite, { type: 'todo.failed', todoId: s.todo_id, data: { error: 'audit rejected' } }, now);
    }
    slash(core, s, round, now);
  }

  const distribution: Record<string, number> = {};
  approved.forEach((s, i) => {
    distribution[s.staking_key] = (distribution[s.staking_key] ?? 0) + amounts[i]!;
  });
  const insertPayout = cachedStatement(core.sqlite, `INSERT INTO payouts (round, staking_key, amount) VALUES (?, ?, ?)`);
  for (const [key, amount] of Object.entries(distribution)) insertPayout.run(round, key, amount);
  cachedStatement(core.sqlite, `UPDATE rounds SET status = 'tallied', tallied_at = ? WHERE number = ?`).run(now, round);
  appendEvent(core.sqlite, { type: 'round.tallied', data: { round, approved: approved.length, rejected: rejected.length, distribution } }, now);
  return { round, approved: approved.map((s) => s.id), rejected: rejected.map((s) => s.id), distribution };
}

function slash(core: Core, submission: DecidableRow, round: number, now: number): void {
  if (core.rounds.slashFraction <= 0) return;
  const worker = cachedStatement(core.sqlite, 'SELECT stake FROM workers WHERE staking_key = ?').get(submission.staking_key) as
    | { stake: number }
    | undefined;
  if (!worker) return;
  const amount = Math.floor(worker.stake * core.rounds.slashFraction);
  if (amount <= 0) return;
  cachedStatement(core.sqlite, 'UPDATE workers SET stake = stake - ? WHERE staking_key = ?').run(amount, submission.staking_key);
  forgetWorker(core, submission.staking_key);
  cachedStatement(
    core.sqlite,
    `INSERT INTO ledger (staking_key, round, kind, amount, submission_id, created_at) VALUES (?, ?, 'slash', ?, ?, ?)`,
  ).run(submission.staking_key, round, -amount, submission.id, now);
  appendEvent(core.sqlite, { type: 'worker.slashed', data: { stakingKey: submission.staking_key, amount, submissionId: submission.id } }, now);
}
