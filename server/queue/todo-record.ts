import type { SwarmSpec } from '../../shared/swarm-spec.js';
import type { TodoStatus } from '../db/schema.js';

/** A todo as the API shows it. The lease token is never part of it: only the claimer sees it. */
export interface TodoRecord {
  id: number;
  status: TodoStatus;
  spec: SwarmSpec;
  repo: { owner: string; name: string } | null;
  bountyId: string | null;
  reward: number;
  priority: number;
  availableAt: number;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
  holderKey: string | null;
  leaseExpiresAt: number | null;
  prUrl: string | null;
  result: unknown;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface TodoRow {
  id: number;
  status: TodoStatus;
  spec: string;
  repo_owner: string | null;
  repo_name: string | null;
  bounty_id: string | null;
  reward: number;
  priority: number;
  available_at: number;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  holder_key: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  pr_url: string | null;
  result: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Todos with their specs (kept in their own table, see schema); select TODO_COLUMNS from it. */
export const TODOS_WITH_SPECS = 'todos JOIN todo_specs ON todo_specs.todo_id = todos.id';

export const TODO_COLUMNS =
  'id, status, spec, repo_owner, repo_name, bounty_id, reward, priority, available_at, attempts, max_attempts, ' +
  'dedupe_key, holder_key, lease_token, lease_expires_at, pr_url, result, last_error, created_at, updated_at';

/** repoOf in SQL, for queries that build their answer as JSON: `alias` names the todos table. */
export const repoJsonSql = (alias: string) =>
  `CASE WHEN ${alias}.repo_owner <> '' AND ${alias}.repo_name <> '' THEN json_object('owner', ${alias}.repo_owner, 'name', ${alias}.repo_name) END`;

/** A todo's repository from its two columns (null unless both are set; see repoJsonSql). */
export function repoOf(row: { repo_owner: string | null; repo_name: string | null }): { owner: string; name: string } | null {
  return row.repo_owner && row.repo_name ? { owner: row.repo_owner, name: row.repo_name } : null;
}

export function toTodoRecord(row: TodoRow): TodoRecord {
  return {
    id: row.id,
    status: row.status,
    spec: JSON.parse(row.spec) as SwarmSpec,
    repo: repoOf(row),
    bountyId: row.bounty_id,
    reward: row.reward,
    priority: row.priority,
    availableAt: row.available_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    dedupeKey: row.dedupe_key,
    holderKey: row.holder_key,
    leaseExpiresAt: row.lease_expires_at,
    prUrl: row.pr_url,
    result: row.result === null ? null : JSON.parse(row.result),
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
