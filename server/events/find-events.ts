import type Database from 'better-sqlite3';
import { EVENT_SCAN_WINDOW, type FindEventsInput } from '../../shared/event-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { toEventRecord, type EventRecord, type EventRow } from './read-events.js';

export interface FoundEvents {
  /** Matching events, oldest first. */
  events: EventRecord[];
  /** Where to go on: the next call's `afterId` when reading from the oldest, `beforeId` from the newest. */
  cursor: number;
  /** The scan reached the far end of the range (for `oldest`: the newest event there is now). */
  done: boolean;
}

/**
 * Events by type prefix and todo, from either end of an id range. The events table has no index
 * on either (every state change writes it, so each index would tax the queue's hot path); a call
 * instead looks through at most `scanWindow` ids and says where it stopped, so a search of a long
 * log is a series of short reads rather than one that freezes the coordinator.
 */
export function findEvents(sqlite: Database.Database, query: FindEventsInput, scanWindow = EVENT_SCAN_WINDOW): FoundEvents {
  // Two subqueries: SQLite answers a lone min() or max() from the end of the rowid tree, but scans
  // the table for both in one SELECT.
  const { first, last } = cachedStatement(sqlite, 'SELECT (SELECT min(id) FROM events) AS first, (SELECT max(id) FROM events) AS last').get() as {
    first: number | null;
    last: number | null;
  };
  // Ids searched: low < id < high.
  let low = Math.max(query.afterId, (first ?? 1) - 1);
  const since = Math.max(query.since ?? 0, query.todoId === undefined ? 0 : todoEventsFloor(sqlite, query.todoId));
  if (since > 0 && last !== null) low = Math.max(low, firstIdAtOrAfter(sqlite, since, low + 1, last) - 1);
  const high = Math.min(query.beforeId ?? Number.MAX_SAFE_INTEGER, (last ?? 0) + 1);
  if (high - low <= 1) return { events: [], cursor: query.from === 'oldest' ? Math.max(query.afterId, high - 1) : low + 1, done: true };

  const filter = matchClause(query);
  if (query.from === 'oldest') {
    const scanEnd = Math.min(high - 1, low + scanWindow);
    const rows = cachedStatement(
      sqlite,
      `SELECT id, type, todo_id, data, created_at FROM events WHERE id > ? AND id <= ?${filter.sql} ORDER BY id LIMIT ?`,
    ).all(low, scanEnd, ...filter.params, query.limit) as EventRow[];
    if (rows.length === query.limit) {
      const cursor = rows[rows.length - 1]!.id;
      return { events: rows.map(toEventRecord), cursor, done: cursor >= high - 1 };
    }
    return { events: rows.map(toEventRecord), cursor: scanEnd, done: scanEnd >= high - 1 };
  }
  const scanStart = Math.max(low + 1, high - scanWindow);
  const rows = cachedStatement(
    sqlite,
    `SELECT id, type, todo_id, data, created_at FROM events WHERE id >= ? AND id < ?${filter.sql} ORDER BY id DESC LIMIT ?`,
  ).all(scanStart, high, ...filter.params, query.limit) as EventRow[];
  rows.reverse();
  if (rows.length === query.limit) {
    const cursor = rows[0]!.id;
    return { events: rows.map(toEventRecord), cursor, done: cursor <= low + 1 };
  }
  return { events: rows.map(toEventRecord), cursor: scanStart, done: scanStart <= low + 1 };
}

/** A todo's events start when it was created: searching for them starts there (an hour early, for clock corrections). */
const CLOCK_MARGIN_MS = 3_600_000;

function todoEventsFloor(sqlite: Database.Database, todoId: number): number {
  const row = cachedStatement(sqlite, 'SELECT created_at FROM todos WHERE id = ?').get(todoId) as { created_at: number } | undefined;
  return row === undefined ? 0 : Math.max(0, row.created_at - CLOCK_MARGIN_MS);
}

/**
 * The smallest x in [from, last + 1] such that the first event with id ≥ x was written at or after
 * `time`: events are appended in time order, so this is a binary search of ~log2(n) probes. (After
 * a clock stepped back the order is not quite time order, and the answer is approximate.)
 */
function firstIdAtOrAfter(sqlite: Database.Database, time: number, from: number, last: number): number {
  const probe = cachedStatement(sqlite, 'SELECT created_at FROM events WHERE id >= ? ORDER BY id LIMIT 1');
  let lo = from;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = probe.get(mid) as { created_at: number } | undefined;
    if (row === undefined || row.created_at >= time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The same filter for events already in hand (a live subscription): type prefixes, any of which
 * matches, and a todo. Undefined when nothing narrows, so callers skip the check.
 */
export function eventMatcher(filter: { types?: string[] | undefined; todoId?: number | undefined }): ((event: EventRecord) => boolean) | undefined {
  const { types, todoId } = filter;
  if (!types?.length && todoId === undefined) return undefined;
  return (event) => (!types?.length || types.some((prefix) => event.type.startsWith(prefix))) && (todoId === undefined || event.todoId === todoId);
}

/** ` AND …` for the filters given (one statement shape per number of prefixes), and its parameters. */
function matchClause(query: FindEventsInput): { sql: string; params: (string | number)[] } {
  let sql = '';
  const params: (string | number)[] = [];
  if (query.types) {
    // substr/length count characters, so a prefix matches exactly, case and all (LIKE would not).
    sql += ` AND (${query.types.map(() => 'substr(type, 1, length(?)) = ?').join(' OR ')})`;
    for (const prefix of query.types) params.push(prefix, prefix);
  }
  if (query.todoId !== undefined) {
    sql += ' AND todo_id = ?';
    params.push(query.todoId);
  }
  return { sql, params };
}
