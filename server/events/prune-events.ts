import { DomainError } from '../../shared/errors.js';
import { cachedStatement, literalLimit } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';

export interface PruneChunk {
  deleted: number;
  /** A full chunk was deleted: older events may remain. */
  more: boolean;
}

// Deletes a prefix of the log: stops at the first event young enough to keep (a clock stepped
// back must not leave a hole in the middle that a resuming subscriber would skip silently), and
// never deletes the newest event, so max(id) still says where the log stands.
const pruneSql = (limit: number) => `
  WITH head AS (SELECT id, created_at FROM events WHERE id < (SELECT max(id) FROM events) ORDER BY id LIMIT ${limit})
  DELETE FROM events
  WHERE id IN (SELECT id FROM head
               WHERE id < coalesce((SELECT min(id) FROM head WHERE created_at >= @before), 9007199254740991))`;

/**
 * Deletes up to `maxRows` of the oldest events created before `before`, in one IMMEDIATE
 * transaction. Callers loop while `more`, yielding between chunks, so a long backlog never holds
 * the write lock for long.
 */
export function pruneEventsChunk(core: Pick<Core, 'db' | 'sqlite'>, before: number, maxRows: number): PruneChunk {
  const limit = literalLimit(maxRows);
  const deleted = immediate(core.db, () => cachedStatement(core.sqlite, pruneSql(limit)).run({ before }).changes);
  return { deleted, more: deleted === limit };
}

/** Whether the log's oldest event is older than `before` (one index probe; the sweeper asks every tick). */
export function hasEventsBefore(core: Pick<Core, 'sqlite'>, before: number): boolean {
  const oldest = cachedStatement(core.sqlite, 'SELECT created_at FROM events ORDER BY id LIMIT 1').get() as { created_at: number } | undefined;
  return oldest !== undefined && oldest.created_at < before;
}

/** The oldest and newest event ids the log still holds (null when it is empty). */
export function retainedEventIds(core: Pick<Core, 'sqlite'>): { oldest: number; newest: number } | null {
  // Two subqueries: SQLite answers a lone min() or max() on the rowid from the b-tree's ends,
  // but scans the table for both in one SELECT.
  const row = cachedStatement(core.sqlite, 'SELECT (SELECT min(id) FROM events) AS oldest, (SELECT max(id) FROM events) AS newest').get() as {
    oldest: number | null;
    newest: number | null;
  };
  return row.oldest === null || row.newest === null ? null : { oldest: row.oldest, newest: row.newest };
}

/**
 * Refuses a resume point the log cannot serve gap-free: one whose following events were pruned,
 * or one this log never reached (a cursor from another store, or from before a restore).
 */
export function requireResumable(core: Pick<Core, 'sqlite'>, afterId: number): void {
  const ids = retainedEventIds(core);
  const oldest = ids?.oldest ?? 1;
  const newest = ids?.newest ?? 0;
  if (afterId < oldest - 1) {
    throw new DomainError(
      'EVENTS_PRUNED',
      `lastEventId ${afterId} is older than the event log keeps (oldest event is #${oldest}; see SWARMTASK_EVENT_RETENTION_DAYS): ` +
        'read the current state and subscribe again without lastEventId',
      { field: 'lastEventId' },
    );
  }
  if (afterId > newest) {
    throw new DomainError(
      'EVENT_ID_UNKNOWN',
      `lastEventId ${afterId} is ahead of this coordinator's newest event #${newest} (a cursor from another store, or from before a restore): ` +
        'read the current state and subscribe again without lastEventId',
      { field: 'lastEventId' },
    );
  }
}
