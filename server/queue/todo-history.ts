import type { AssignmentOutcome } from '../db/schema.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { getTodo } from './get-todo.js';

/** One claim of a todo and how it ended; lease tokens stay out (they are the holder's secret). */
export interface TodoAttempt {
  stakingKey: string;
  githubUsername: string | null;
  claimedAt: number;
  leaseExpiresAt: number;
  endedAt: number | null;
  outcome: AssignmentOutcome;
  error: string | null;
  prUrl: string | null;
  round: number | null;
}

interface AttemptRow {
  staking_key: string;
  github_username: string | null;
  claimed_at: number;
  lease_expires_at: number;
  ended_at: number | null;
  outcome: AssignmentOutcome;
  error: string | null;
  pr_url: string | null;
  round: number | null;
}

/** Every claim of a todo, first first: who, when, and how it ended (the assignments, by their todo index). */
export function todoHistory(core: Pick<Core, 'sqlite'>, todoId: number): TodoAttempt[] {
  getTodo(core, todoId); // TODO_NOT_FOUND for an unknown id, rather than an empty history
  const rows = cachedStatement(
    core.sqlite,
    `SELECT staking_key, github_username, claimed_at, lease_expires_at, ended_at, outcome, error, pr_url, round
     FROM assignments WHERE todo_id = ? ORDER BY id`,
  ).all(todoId) as AttemptRow[];
  return rows.map((row) => ({
    stakingKey: row.staking_key,
    githubUsername: row.github_username,
    claimedAt: row.claimed_at,
    leaseExpiresAt: row.lease_expires_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
    error: row.error,
    prUrl: row.pr_url,
    round: row.round,
  }));
}
