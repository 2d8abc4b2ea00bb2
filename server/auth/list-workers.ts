import { ACTIVE_WITHIN_MS, type ListWorkersInput, type WorkerSummary } from '../../shared/worker-schemas.js';
import { cachedStatement, literalLimit } from '../db/statements.js';
import type { Core } from '../core.js';
import { toWorkerRecord, type WorkerRecord, type WorkerRow } from './workers.js';

export interface WorkerPage {
  workers: WorkerRecord[];
  /** Pass as `after` (with the same sort) for the next page; null on the last page. */
  nextAfter: string | null;
}

// Keyset pages: each sort orders by one value then the staking key, and the cursor carries both.
const SORTS = {
  registered: {
    value: 'registered_at',
    where: '(registered_at, staking_key) > (@afterValue, @afterKey)',
    orderBy: 'registered_at, staking_key',
    valueOf: (row: WorkerRow) => row.registered_at,
  },
  lastSeen: {
    // Never-seen workers sort last; -1 is below every real time.
    value: 'coalesce(last_seen_at, -1)',
    where: '(coalesce(last_seen_at, -1) < @afterValue OR (coalesce(last_seen_at, -1) = @afterValue AND staking_key > @afterKey))',
    orderBy: 'coalesce(last_seen_at, -1) DESC, staking_key',
    valueOf: (row: WorkerRow) => row.last_seen_at ?? -1,
  },
} as const;

/** Registered workers, one page at a time: a coordinator may have thousands, and a dashboard polls. */
export function listWorkers(core: Pick<Core, 'sqlite'>, input: ListWorkersInput): WorkerPage {
  const sort = SORTS[input.sort];
  const limit = literalLimit(input.limit + 1);
  const cursor = input.after === undefined ? null : parseCursor(input.after);
  const rows = cursor
    ? (cachedStatement(core.sqlite, `SELECT * FROM workers WHERE ${sort.where} ORDER BY ${sort.orderBy} LIMIT ${limit}`).all(cursor) as WorkerRow[])
    : (cachedStatement(core.sqlite, `SELECT * FROM workers ORDER BY ${sort.orderBy} LIMIT ${limit}`).all() as WorkerRow[]);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    workers: page.map(toWorkerRecord),
    nextAfter: rows.length > input.limit && last ? `${sort.valueOf(last)}:${last.staking_key}` : null,
  };
}

/** The schema has checked the shape (`<number>:<staking key>`). */
function parseCursor(after: string): { afterValue: number; afterKey: string } {
  const colon = after.indexOf(':');
  return { afterValue: Number(after.slice(0, colon)), afterKey: after.slice(colon + 1) };
}

export function summarizeWorkers(core: Pick<Core, 'sqlite' | 'auth'>, now = Date.now()): WorkerSummary {
  const row = cachedStatement(
    core.sqlite,
    `SELECT count(*) AS registered,
            coalesce(sum(stake >= @minStake), 0) AS staked,
            coalesce(sum(last_seen_at >= @activeSince), 0) AS active
     FROM workers`,
  ).get({ minStake: core.auth.minStake, activeSince: now - ACTIVE_WITHIN_MS }) as { registered: number; staked: number; active: number };
  return { registered: row.registered, staked: row.staked, activeLast10Minutes: row.active };
}
