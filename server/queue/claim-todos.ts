import { repoJsonSql } from './todo-record.js';
import { DEFAULT_SWARM_TYPE, type SwarmSpec } from '../../shared/swarm-spec.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';
import { cachedStatement, literalLimit } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { noteAppendedEvents } from '../events/append-event.js';
import { claimsPause } from './claims-pause.js';
import type { Core } from '../core.js';

export interface ClaimRequest {
  stakingKey: string;
  githubUsername?: string | null | undefined;
  max: number;
  /** Lease length for this claim; defaults to the queue's. Legacy Koii workers send no heartbeats. */
  leaseMs?: number;
  /** The node's choice of work (minimum reward, swarm types); absent: any todo. */
  filter?: ClaimFilter | undefined;
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

// One statement picks and marks the batch; the lease token is 18 random bytes per row.
// The same staking key or GitHub user never gets a todo twice; a released lease does not count.
// GitHub logins are case-insensitive: "Alice" and "alice" are one account.
// The batch size is spliced in as a literal (see literalLimit). A node's filter adds its conditions
// only when it sends one, so the common claim keeps its plain statement; a filtered claim walks the
// same index in claim order and skips what does not match.
const FILTER_CONDITIONS = `
      AND reward >= @minReward
      AND (@swarmTypes IS NULL OR coalesce(swarm_type, '${DEFAULT_SWARM_TYPE}') IN (SELECT value FROM json_each(@swarmTypes)))`;

const claimSql = (max: number, filtered: boolean) => `
  UPDATE todos SET status = 'in_progress', lease_token = lower(hex(randomblob(18))), lease_expires_at = @leaseExpiresAt,
    holder_key = @stakingKey, attempts = attempts + 1, updated_at = @now
  WHERE id IN (
    SELECT id FROM todos t
    WHERE status = 'initialized' AND available_at <= @now${filtered ? FILTER_CONDITIONS : ''}
      AND NOT EXISTS (
        SELECT 1 FROM assignments a
        WHERE a.todo_id = t.id AND a.outcome != 'released'
          AND (a.staking_key = @stakingKey OR (@github IS NOT NULL AND lower(a.github_username) = lower(@github))))
    ORDER BY priority DESC, available_at, id
    LIMIT ${max})
  RETURNING id`;

const RECORD_ASSIGNMENTS = `
  INSERT INTO assignments (todo_id, staking_key, github_username, lease_token, claimed_at, lease_expires_at, outcome)
  SELECT t.id, @stakingKey, @github, t.lease_token, @now, @leaseExpiresAt, 'active' FROM json_each(@claims) AS c JOIN todos AS t ON t.id = c.value`;

// The whole batch as one JSON array of ClaimedTodo, in queue order (RETURNING's is unspecified):
// one string for V8 to parse instead of a row of columns and a spec to parse per todo.
const READ_CLAIMED = `
  SELECT json_group_array(json_object(
    'todoId', t.id, 'leaseToken', t.lease_token, 'leaseExpiresAt', t.lease_expires_at, 'attempt', t.attempts, 'spec', json(s.spec),
    'repo', ${repoJsonSql('t')},
    'bountyId', t.bounty_id, 'reward', t.reward) ORDER BY t.priority DESC, t.available_at, t.id)
  FROM json_each(?) AS c JOIN todos AS t ON t.id = c.value JOIN todo_specs AS s ON s.todo_id = t.id`;

const RECORD_EVENTS = `
  INSERT INTO events (type, todo_id, data, created_at)
  SELECT 'todo.claimed', t.id, json_object('stakingKey', @stakingKey, 'attempt', t.attempts), @now FROM json_each(@claims) AS c JOIN todos AS t ON t.id = c.value`;

/**
 * Claims up to `max` todos in one IMMEDIATE transaction of set-based statements: mark the batch
 * in progress under fresh lease tokens, record the assignments and events, read the batch back
 * with its specs. Two racing workers serialize on the write lock, so a todo is handed to exactly
 * one of them.
 * While claims are paused it hands out nothing.
 */
export function claimTodos(core: Core, request: ClaimRequest, now = Date.now()): ClaimedTodo[] {
  if (claimsPause(core)) return []; // an operator paused claims (swarmtask pause)
  const params = {
    now,
    leaseExpiresAt: now + (request.leaseMs ?? core.queue.leaseMs),
    stakingKey: request.stakingKey,
    github: request.githubUsername ?? null,
  };
  const filter = request.filter;
  const filtered = filter !== undefined && (filter.minReward !== undefined || filter.swarmTypes !== undefined);
  const claimParams = filtered
    ? { ...params, minReward: filter.minReward ?? 0, swarmTypes: filter.swarmTypes ? JSON.stringify(filter.swarmTypes) : null }
    : params;
  const claimed = immediate(core.db, () => {
    const ids = cachedStatement(core.sqlite, claimSql(literalLimit(request.max), filtered), 'pluck').all(claimParams) as number[];
    if (ids.length === 0) return null;
    const claims = JSON.stringify(ids);
    cachedStatement(core.sqlite, RECORD_ASSIGNMENTS).run({ ...params, claims });
    noteAppendedEvents(core.sqlite, cachedStatement(core.sqlite, RECORD_EVENTS).run({ ...params, claims }));
    return cachedStatement(core.sqlite, READ_CLAIMED, 'pluck').get(claims) as string;
  });
  if (claimed === null) return [];
  core.bus.notify();
  return JSON.parse(claimed) as ClaimedTodo[];
}
