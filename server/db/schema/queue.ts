import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { TODO_STATUS_VALUES } from '../../../shared/todo-schemas.js';

export const TODO_STATUSES = TODO_STATUS_VALUES;
export type TodoStatus = (typeof TODO_STATUSES)[number];

export const todos = sqliteTable(
  'todos',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: text('task_id').notNull(),
    status: text('status', { enum: TODO_STATUSES }).notNull().default('initialized'),
    /** The spec's swarm_type (null for the default), for event data and filters without the spec. */
    swarmType: text('swarm_type'),
    repoOwner: text('repo_owner'),
    repoName: text('repo_name'),
    bountyId: text('bounty_id'),
    reward: integer('reward').notNull(),
    priority: integer('priority').notNull().default(0),
    /** When the todo may first be claimed (schedule.scheduled_time, or creation time). */
    availableAt: integer('available_at').notNull(),
    /** 1 once a `todo.available` event was written for the current availability. */
    announced: integer('announced').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    dedupeKey: text('dedupe_key'),
    leaseToken: text('lease_token'),
    leaseExpiresAt: integer('lease_expires_at'),
    holderKey: text('holder_key'),
    result: text('result', { mode: 'json' }),
    prUrl: text('pr_url'),
    /** The round whose audit this todo's result awaits (set when it enters `in_review`). */
    round: integer('round'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Matches the claim's ORDER BY (priority DESC, available_at, id), so claiming never sorts.
    index('todos_claim_idx')
      .on(sql`${t.priority} DESC`, t.availableAt, t.id)
      .where(sql`status = 'initialized'`),
    // Leases the sweeper expires: claims in progress and legacy draft PRs.
    index('todos_lease_idx').on(t.leaseExpiresAt).where(sql`status IN ('in_progress', 'draft_pr_received')`),
    index('todos_unannounced_idx').on(t.availableAt).where(sql`status = 'initialized' AND announced = 0`),
    // Todos awaiting their round's audit: the round tick looks them up every tick, so a scan of
    // every todo ever made would grow without bound; few todos are in review at once.
    index('todos_in_review_idx').on(t.round).where(sql`status = 'in_review'`),
    // Failed todos by when they failed, for bulk redrive; few todos fail, so claims never touch it.
    index('todos_failed_idx').on(t.updatedAt, t.id).where(sql`status = 'failed'`),
    uniqueIndex('todos_dedupe_idx').on(t.dedupeKey),
    index('todos_bounty_idx').on(t.bountyId),
  ],
);

/**
 * How many todos are in each status, kept by triggers on `todos` (migration 0012), so counting
 * (`todos.counts`, /metrics, the dashboard, `status`) reads a few rows instead of scanning every
 * todo ever made. A migration that rebuilds `todos` drops its triggers: recreate them there
 * (test/db/migrations.test.ts checks that they exist and agree with a scan).
 */
export const todoStatusCounts = sqliteTable('todo_status_counts', {
  status: text('status').primaryKey(),
  n: integer('n').notNull(),
});

/** Coordinator-wide switches an operator flips at run time (`swarmtask pause`), one JSON value per key. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A todo's swarm spec, written once at creation. Kept out of `todos`, whose rows every claim and
 * report rewrites: with the spec inline a row is most of a page (several KB for real prompts), so
 * each state change rewrote a page per todo; without it one page holds dozens of todos.
 */
export const todoSpecs = sqliteTable('todo_specs', {
  todoId: integer('todo_id')
    .primaryKey()
    .references(() => todos.id),
  spec: text('spec', { mode: 'json' }).notNull(),
});

export const ASSIGNMENT_OUTCOMES = ['active', 'completed', 'failed', 'expired', 'released', 'declined', 'cancelled'] as const;
export type AssignmentOutcome = (typeof ASSIGNMENT_OUTCOMES)[number];

/** One row per claim attempt. */
export const assignments = sqliteTable(
  'assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    todoId: integer('todo_id')
      .notNull()
      .references(() => todos.id),
    stakingKey: text('staking_key').notNull(),
    githubUsername: text('github_username'),
    leaseToken: text('lease_token').notNull(),
    claimedAt: integer('claimed_at').notNull(),
    leaseExpiresAt: integer('lease_expires_at').notNull(),
    endedAt: integer('ended_at'),
    outcome: text('outcome', { enum: ASSIGNMENT_OUTCOMES }).notNull().default('active'),
    round: integer('round'),
    prUrl: text('pr_url'),
    result: text('result', { mode: 'json' }),
    error: text('error'),
  },
  // A todo has a handful of assignments; one index on todo_id serves the "never twice" check.
  // The key index holds the first 8 characters of the key (about 47 bits of a base58 key), not the
  // 44 of it: each claim adds an entry in its worker's part of the index, and entries a quarter
  // the size touch fewer pages per commit. Queries match the prefix, then the whole key.
  // It leaves out `outcome`, so finishing a lease does not rewrite an entry.
  (t) => [index('assignments_todo_idx').on(t.todoId), index('assignments_key_idx').on(sql`substr(${t.stakingKey}, 1, 8)`)],
);
