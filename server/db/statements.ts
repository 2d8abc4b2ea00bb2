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
 * Prepares each SQL text once per connection. The queue's hot paths use raw prepared statements
 * (the per-call cost of a query builder shows up at tens of thousands of calls per second).
 */
export function cachedStatement(sqlite: Database.Database, sql: string): Database.Statement {
  let statements = cache.get(sqlite);
  if (!statements) {
    statements = new Map();
    cache.set(sqlite, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = sqlite.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}
