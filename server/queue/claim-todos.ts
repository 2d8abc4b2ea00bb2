import { randomBytes } from 'node:crypto';
import type { SwarmSpec } from '../../shared/swarm-spec.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface ClaimRequest {
  stakingKey: string;
  githubUsername?: string | null | undefined;
  max: number;
}

/** A claimed todo with the lease that every later call about it must present. */
export interface ClaimedTodo {
  todoId: number;
  leaseToken: string;
  leaseExpiresAt: number;
  attempt: number;
  spec: SwarmSpec;
  repo: { owner: string; name: string } | null;
  bountyId: string | null;
  reward: number;
}

interface CandidateRow {
  id: number;
  spec: string;
  repo_owner: string | null;
  repo_name: string | null;
  bounty_id: string | null;
  reward: number;
  attempts: number;
}

// The same staking key or GitHub user never gets a todo twice; a released lease does not count.
const SELECT_CANDIDATES = `
  SELECT id, spec, repo_owner, repo_name, bounty_id, reward, attempts FROM todos t
  WHERE status = 'initialized' AND available_at <= @now
    AND NOT EXISTS (
      SELECT 1 FROM assignments a
      WHERE a.todo_id = t.id AND a.outcome != 'released'
        AND (a.staking_key = @stakingKey OR (@github IS NOT NULL AND a.github_username = @github)))
  ORDER BY priority DESC, available_at, id
  LIMIT @max`;

const MARK_CLAIMED = `
  UPDATE todos SET status = 'in_progress', lease_token = ?, lease_expires_at = ?, holder_key = ?,
    attempts = attempts + 1, assignment_id = ?, updated_at = ?
  WHERE id = ? AND status = 'initialized'`;

const INSERT_ASSIGNMENT = `
  INSERT INTO assignments (todo_id, staking_key, github_username, lease_token, claimed_at, lease_expires_at, outcome)
  VALUES (?, ?, ?, ?, ?, ?, 'active')`;

/**
 * Claims up to `max` todos in one IMMEDIATE transaction: select, mark in progress under a fresh
 * lease token, record the assignment and its event. Two racing workers serialize on the write
 * lock, so a todo is handed to exactly one of them.
 */
export function claimTodos(core: Core, request: ClaimRequest, now = Date.now()): ClaimedTodo[] {
  const leaseExpiresAt = now + core.queue.leaseMs;
  const github = request.githubUsername ?? null;
  const claimed = immediate(core.db, () => {
    const candidates = cachedStatement(core.sqlite, SELECT_CANDIDATES).all({
      now,
      stakingKey: request.stakingKey,
      github,
      max: request.max,
    }) as CandidateRow[];
    const insertAssignment = cachedStatement(core.sqlite, INSERT_ASSIGNMENT);
    const markClaimed = cachedStatement(core.sqlite, MARK_CLAIMED);
    const result: ClaimedTodo[] = [];
    for (const row of candidates) {
      const leaseToken = randomBytes(18).toString('base64url');
      const assignment = insertAssignment.run(row.id, request.stakingKey, github, leaseToken, now, leaseExpiresAt);
      const assignmentId = Number(assignment.lastInsertRowid);
      markClaimed.run(leaseToken, leaseExpiresAt, request.stakingKey, assignmentId, now, row.id);
      appendEvent(
        core.sqlite,
        { type: 'todo.claimed', todoId: row.id, data: { stakingKey: request.stakingKey, attempt: row.attempts + 1 } },
        now,
      );
      result.push({
        todoId: row.id,
        leaseToken,
        leaseExpiresAt,
        attempt: row.attempts + 1,
        spec: JSON.parse(row.spec) as SwarmSpec,
        repo: row.repo_owner && row.repo_name ? { owner: row.repo_owner, name: row.repo_name } : null,
        bountyId: row.bounty_id,
        reward: row.reward,
      });
    }
    return result;
  });
  if (claimed.length > 0) core.bus.notify();
  return claimed;
}
