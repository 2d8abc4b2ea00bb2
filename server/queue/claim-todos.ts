import { repoOf } from './todo-record.js';
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

interface ClaimedRow {
  id: number;
  lease_token: string;
  attempts: number;
  repo_owner: string | null;
  repo_name: string | null;
  bounty_id: string | null;
  reward: number;
  priority: number;
  available_at: number;
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
  RETURNING id, lease_token, attempts, repo_owner, repo_name, bounty_id, reward, priority, available_at`;

const RECORD_ASSIGNMENTS = `
  INSERT INTO assignments (todo_id, staking_key, github_username, lease_token, claimed_at, lease_expires_at, outcome)
  SELECT value ->> 0, @stakingKey, @github, value ->> 1, @now, @leaseExpiresAt, 'active' FROM jsonb_each(@claims)`;

const READ_SPECS = 'SELECT todo_id, spec FROM todo_specs WHERE todo_id IN (SELECT value ->> 0 FROM jsonb_each(?))';

const RECORD_EVENTS = `
  INSERT INTO events (type, todo_id, data, created_at)
  SELECT 'todo.claimed', value ->> 0, json_object('stakingKey', @stakingKey, 'attempt', value ->> 2), @now FROM jsonb_each(@claims)`;

/**
 * Claims up to `max` todos in one IMMEDIATE transaction of set-based statements: mark the batch
 * in progress under fresh lease tokens, record the assignments and events, read the specs. Two
 * racing workers serialize on the write lock, so a todo is handed to exactly one of them.
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
  const specs = new Map<number, string>();
  const rows = immediate(core.db, () => {
    const claimed = cachedStatement(core.sqlite, claimSql(literalLimit(request.max), filtered)).all(claimParams) as ClaimedRow[];
    if (claimed.length === 0) return claimed;
    const claims = JSON.stringify(claimed.map((row) => [row.id, row.lease_token, row.attempts]));
    cachedStatement(core.sqlite, RECORD_ASSIGNMENTS).run({ ...params, claims });
    noteAppendedEvents(core.sqlite, cachedStatement(core.sqlite, RECORD_EVENTS).run({ ...params, claims }));
    for (const row of cachedStatement(core.sqlite, READ_SPECS).all(claims) as { todo_id: number; spec: string }[]) {
      specs.set(row.todo_id, row.spec);
    }
    return claimed;
  });
  if (rows.length === 0) return [];
  core.bus.notify();
  // RETURNING order is unspecified; hand the batch out in queue order.
  rows.sort((a, b) => b.priority - a.priority || a.available_at - b.available_at || a.id - b.id);
  return rows.map((row) => ({
    todoId: row.id,
    leaseToken: row.lease_token,
    leaseExpiresAt: params.leaseExpiresAt,
    attempt: row.attempts,
    spec: JSON.parse(specs.get(row.id)!) as SwarmSpec,
    repo: repoOf(row),
    bountyId: row.bounty_id,
    reward: row.reward,
  }));
}
