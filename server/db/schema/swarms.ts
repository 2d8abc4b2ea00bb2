import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every swarm run through the swarm API (tRPC `swarms.*` and REST `/v1/*`), with usage and cost. */
export const swarmRuns = sqliteTable(
  'swarm_runs',
  {
    /** The `job_id` of the result. */
    id: text('id').primaryKey(),
    apiKeyId: text('api_key_id'),
    kind: text('kind', { enum: ['swarm', 'agent'] }).notNull().default('swarm'),
    swarmName: text('swarm_name'),
    swarmType: text('swarm_type'),
    status: text('status', { enum: ['running', 'success', 'failed'] }).notNull(),
    request: text('request', { mode: 'json' }).notNull(),
    result: text('result', { mode: 'json' }),
    error: text('error'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** USD cost in millionths of a dollar (integers, never floats). */
    costMicroUsd: integer('cost_micro_usd').notNull().default(0),
    executionMs: integer('execution_ms'),
    cached: integer('cached').notNull().default(0),
    scheduleId: text('schedule_id'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('swarm_runs_key_idx').on(t.apiKeyId, t.createdAt)],
);

export const SCHEDULE_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

/** Swarm runs scheduled for later (`POST /v1/swarm/schedule`); they fire after a restart too. */
export const swarmSchedules = sqliteTable(
  'swarm_schedules',
  {
    /** The `job_id` returned to the caller. */
    id: text('id').primaryKey(),
    apiKeyId: text('api_key_id'),
    spec: text('spec', { mode: 'json' }).notNull(),
    scheduledAt: integer('scheduled_at').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    status: text('status', { enum: SCHEDULE_STATUSES }).notNull().default('pending'),
    runId: text('run_id'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('swarm_schedules_due_idx').on(t.status, t.scheduledAt)],
);
