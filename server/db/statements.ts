import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

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
  let statements = cache.get(sqlite);
  if (!statements) {
    statements = new Map();
    cache.set(sqlite, statements);
  }
  const key = mode === 'objects' ? sql : `${mode}\0${sql}`;
  let statement = statements.get(key);
  if (!statement) {
    statement = sqlite.prepare(sql);
    if (mode === 'pluck') statement.pluck(true);
    statements.set(key, statement);
  }
  return statement;
}
