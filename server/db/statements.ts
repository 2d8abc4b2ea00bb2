import type Database from 'better-sqlite3';

// Per connection, one map per row mode: a key built as `mode + sql` would be a new string on every
// call, which V8 must flatten and hash before each lookup (~0.6 µs, three times per one-todo call).
const cache = new WeakMap<Database.Database, Record<RowMode, Map<string, Database.Statement>>>();

/**
 * A row limit to splice into SQL text as a literal. SQLite re-prepares a statement on every run
 * when its LIMIT is a bound parameter (the value can change the plan), which doubled the cost of
 * a claim; a literal gives one cached statement per distinct limit instead.
 */
export function literalLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`row limit must be a positive integer, got ${limit}`);
  return limit;
}

/**
 * How a statement hands back its rows: as objects (the default) or as the first column's value
 * alone (`pluck`). better-sqlite3 builds a row by setting each column through V8's slow path; for
 * the queue's batches of 32 nine-column rows that was a tenth of a claim's instructions, so its hot
 * paths return ids, or one JSON text for the whole batch, instead.
 */
export type RowMode = 'objects' | 'pluck';

/**
 * Prepares each SQL text once per connection (and row mode). The queue's hot paths use raw
 * prepared statements (the per-call cost of a query builder shows up at tens of thousands of
 * calls per second).
 */
export function cachedStatement(sqlite: Database.Database, sql: string, mode: RowMode = 'objects'): Database.Statement {
  let byMode = cache.get(sqlite);
  if (!byMode) {
    byMode = { objects: new Map(), pluck: new Map() };
    cache.set(sqlite, byMode);
  }
  const statements = byMode[mode];
  let statement = statements.get(sql);
  if (!statement) {
    statement = sqlite.prepare(sql);
    if (mode === 'pluck') statement.pluck(true);
    statements.set(sql, statement);
  }
  return statement;
}
