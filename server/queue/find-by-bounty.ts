import type { TodoStatus } from '../db/schema.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';

/**
 * Reads keyed by the upstream bounty id (Koii `swarmBountyId`): a todo's `bounty_id`, or its id
 * as a string when it has none. Used by the legacy REST face.
 */
export const BOUNTY_ID_SQL = 'coalesce(bounty_id, CAST(id AS TEXT))';

/**
 * `BOUNTY_ID_SQL = param`, spelled out per case so a lookup can go through the bounty index or
 * the primary key instead of computing coalesce(…) for every todo.
 */
const bountyIdIs = (param: string, alias = '') =>
  `(${alias}bounty_id = ${param} OR (${alias}bounty_id IS NULL AND ${alias}id = CAST(${param} AS INTEGER) AND CAST(${alias}id AS TEXT) = ${param}))`;

export function bountyIdOf(todo: { id: number; bountyId: string | null }): string {
  return todo.bountyId ?? String(todo.id);
}

export interface HeldTodo {
  todoId: number;
  status: TodoStatus;
  /** Null once the result was reported (the lease ended). */
  leaseToken: string | null;
  bountyId: string;
}

interface HeldRow {
  id: number;
  status: TodoStatus;
  lease_token: string | null;
  bounty_id: string;
}

const toHeld = (row: HeldRow): HeldTodo => ({ todoId: row.id, status: row.status, leaseToken: row.lease_token, bountyId: row.bounty_id });

// A holder's todos are found through its assignments (indexed by key), so the hot claim and
// report paths need no index on todos.holder_key.

/**
 * Assignments of one staking key, through the key-prefix index (see the schema): the prefix
 * term picks the index, the whole-key term the rows. `alias` qualifies the column when needed.
 */
export const assignmentKeyIs = (param: string, alias = '') =>
  `substr(${alias}staking_key, 1, 8) = substr(${param}, 1, 8) AND ${alias}staking_key = ${param}`;

/** The todo with this bounty id that `stakingKey` currently holds (claimed and not returned). */
export function findHeldTodo(core: Pick<Core, 'sqlite' | 'queue'>, stakingKey: string, bountyId: string): HeldTodo | undefined {
  const row = cachedStatement(
    core.sqlite,
    `SELECT id, status, lease_token, ${BOUNTY_ID_SQL} AS bounty_id FROM todos
     WHERE id IN (SELECT todo_id FROM assignments WHERE ${assignmentKeyIs('@key')})
       AND holder_key = @key AND ${bountyIdIs('@bountyId')} AND task_id = @taskId ORDER BY id DESC LIMIT 1`,
  ).get({ key: stakingKey, bountyId, taskId: core.queue.taskId }) as HeldRow | undefined;
  return row && toHeld(row);
}

/**
 * An unfinished todo `stakingKey` holds: one still in progress first, else one whose result
 * awaits review. Finished (`done`, `failed`, `cancelled`) and returned todos have no holder.
 */
export function findOpenTodoOfHolder(core: Pick<Core, 'sqlite' | 'queue'>, stakingKey: string): HeldTodo | undefined {
  const row = cachedStatement(
    core.sqlite,
    `SELECT id, status, lease_token, ${BOUNTY_ID_SQL} AS bounty_id FROM todos
     WHERE id IN (SELECT todo_id FROM assignments WHERE ${assignmentKeyIs('@key')})
       AND holder_key = @key AND task_id = @taskId AND status NOT IN ('initialized', 'done', 'failed', 'cancelled')
     ORDER BY status = 'in_progress' DESC, id LIMIT 1`,
  ).get({ key: stakingKey, taskId: core.queue.taskId }) as HeldRow | undefined;
  return row && toHeld(row);
}

/** How many claims `stakingKey` ever made (one assignment row each); grows with every claim. */
export function countClaimsBy(core: Pick<Core, 'sqlite'>, stakingKey: string): number {
  return (cachedStatement(core.sqlite, `SELECT count(*) AS n FROM assignments WHERE ${assignmentKeyIs('@key')}`).get({ key: stakingKey }) as { n: number }).n;
}

/** The newest todo with this bounty id that was ever assigned to `stakingKey`. */
export function findAssignedTodoId(core: Pick<Core, 'sqlite'>, stakingKey: string, bountyId: string): number | undefined {
  const row = cachedStatement(
    core.sqlite,
    `SELECT t.id FROM todos t
     WHERE ${bountyIdIs('@bountyId', 't.')}
       AND EXISTS (SELECT 1 FROM assignments a WHERE a.todo_id = t.id AND a.staking_key = @key)
     ORDER BY t.id DESC LIMIT 1`,
  ).get({ bountyId, key: stakingKey }) as { id: number } | undefined;
  return row?.id;
}

export interface AssignmentQuery {
  stakingKey: string;
  prUrl: string;
  round: number;
  githubUsername: string;
}

/**
 * Whether `stakingKey` was assigned a todo of this task, reported `prUrl` for it and had it bound
 * to `round`. The GitHub user must be the one named at the claim, unless the claim named none or
 * named the staking key itself (some Koii worker versions send the key as `githubUsername`).
 */
export function assignmentExists(core: Pick<Core, 'sqlite' | 'queue'>, query: AssignmentQuery): boolean {
  return (
    cachedStatement(
      core.sqlite,
      `SELECT 1 FROM assignments a JOIN todos t ON t.id = a.todo_id
       WHERE ${assignmentKeyIs('@stakingKey', 'a.')} AND a.pr_url = @prUrl AND a.round = @round AND t.task_id = @taskId
         AND (a.github_username IS NULL OR a.github_username = a.staking_key OR lower(a.github_username) = lower(@githubUsername))
       LIMIT 1`,
    ).get({ ...query, taskId: core.queue.taskId }) !== undefined
  );
}
