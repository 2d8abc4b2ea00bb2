import { randomBytes } from 'node:crypto';
import { scheduledInstantMs } from '../../shared/schedule.js';
import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { parseSwarmSpec, SwarmSpecError } from '../swarms/index.js';
import { runSwarmForApi } from './run-swarm-for-api.js';
import type { SwarmApi } from './swarm-api-config.js';

export interface ScheduledJob {
  job_id: string;
  swarm_name: string | null;
  scheduled_time: string;
  timezone: string;
  status: string;
  run_id: string | null;
  error: string | null;
}

interface ScheduleRow {
  id: string;
  spec: string;
  scheduled_at: number;
  timezone: string;
  status: string;
  run_id: string | null;
  error: string | null;
  api_key_id: string | null;
}

const toJob = (row: ScheduleRow): ScheduledJob => ({
  job_id: row.id,
  swarm_name: (JSON.parse(row.spec) as { name?: string }).name ?? null,
  scheduled_time: new Date(row.scheduled_at).toISOString(),
  timezone: row.timezone,
  status: row.status,
  run_id: row.run_id,
  error: row.error,
});

/** Stores a swarm to run at `schedule.scheduled_time`; kept in SQLite, so it fires after a restart. */
export function scheduleSwarm(core: Core, apiKeyId: string, input: unknown, now = Date.now()): ScheduledJob {
  const spec = parseSwarmSpec(input);
  if (!spec.schedule) throw new SwarmSpecError('Schedule information is required', 'schedule', 400);
  let scheduledAt: number;
  try {
    scheduledAt = scheduledInstantMs(spec.schedule.scheduled_time, spec.schedule.timezone);
  } catch (error) {
    throw new SwarmSpecError((error as Error).message, 'schedule', 400);
  }
  const id = `swarm_${(spec.name ?? 'unnamed').replace(/[^A-Za-z0-9]+/g, '_').slice(0, 40)}_${Math.floor(now / 1000)}_${randomBytes(3).toString('hex')}`;
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      `INSERT INTO swarm_schedules (id, api_key_id, spec, scheduled_at, timezone, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(id, apiKeyId, JSON.stringify(spec), scheduledAt, spec.schedule!.timezone, now, now);
    appendEvent(core.sqlite, { type: 'schedule.created', data: { jobId: id, scheduledAt } }, now);
  });
  core.bus.notify();
  return listSchedules(core, apiKeyId).find((job) => job.job_id === id)!;
}

export function listSchedules(core: Pick<Core, 'sqlite'>, apiKeyId: string): ScheduledJob[] {
  const rows = cachedStatement(core.sqlite, `SELECT * FROM swarm_schedules WHERE api_key_id = ? ORDER BY scheduled_at`).all(apiKeyId) as ScheduleRow[];
  return rows.map(toJob);
}

export function cancelSchedule(core: Core, apiKeyId: string, jobId: string, now = Date.now()): ScheduledJob {
  const row = immediate(core.db, () => {
    const updated = cachedStatement(
      core.sqlite,
      `UPDATE swarm_schedules SET status = 'cancelled', updated_at = ? WHERE id = ? AND api_key_id = ? AND status = 'pending' RETURNING *`,
    ).get(now, jobId, apiKeyId) as ScheduleRow | undefined;
    if (!updated) throw new DomainError('TODO_NOT_FOUND', 'Scheduled job not found');
    appendEvent(core.sqlite, { type: 'schedule.cancelled', data: { jobId } }, now);
    return updated;
  });
  core.bus.notify();
  return toJob(row);
}

/**
 * Starts every pending schedule whose time has come (and any left `running` by a crash: at least
 * once). Each is marked running in its own transaction first, so two ticks never start one twice.
 */
export async function fireDueSchedules(core: Core, api: SwarmApi, now = Date.now(), onStartup = false): Promise<number> {
  const due = cachedStatement(
    core.sqlite,
    `SELECT * FROM swarm_schedules WHERE (status = 'pending' AND scheduled_at <= ?) OR (? AND status = 'running') ORDER BY scheduled_at`,
  ).all(now, onStartup ? 1 : 0) as ScheduleRow[];
  const runs = due.map(async (row) => {
    const claimed = immediate(core.db, () =>
      cachedStatement(core.sqlite, `UPDATE swarm_schedules SET status = 'running', updated_at = ? WHERE id = ? AND status IN ('pending', 'running') RETURNING id`).get(now, row.id),
    );
    if (!claimed) return;
    try {
      const result = await runSwarmForApi(core, api, row.api_key_id ?? 'schedule', JSON.parse(row.spec), { scheduleId: row.id });
      setScheduleOutcome(core, row.id, 'completed', result.job_id, null);
    } catch (error) {
      setScheduleOutcome(core, row.id, 'failed', null, error instanceof Error ? error.message : String(error));
    }
  });
  await Promise.all(runs);
  return due.length;
}

function setScheduleOutcome(core: Core, id: string, status: 'completed' | 'failed', runId: string | null, error: string | null): void {
  const now = Date.now();
  immediate(core.db, () => {
    cachedStatement(core.sqlite, `UPDATE swarm_schedules SET status = ?, run_id = ?, error = ?, updated_at = ? WHERE id = ?`).run(status, runId, error, now, id);
    appendEvent(core.sqlite, { type: `schedule.${status}`, data: { jobId: id, runId, error } }, now);
  });
  core.bus.notify();
}
