import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';

const lastAppended = new WeakMap<Database.Database, number>();

/** The id of the last event this process appended on this connection (0 if none). */
export function lastAppendedEventId(sqlite: Database.Database): number {
  return lastAppended.get(sqlite) ?? 0;
}

/** Records the last id of a set-based `INSERT INTO events … SELECT` run. */
export function noteAppendedEvents(sqlite: Database.Database, info: Database.RunResult): void {
  if (info.changes > 0) lastAppended.set(sqlite, Number(info.lastInsertRowid));
}

export interface EventInput {
  type: string;
  todoId?: number | null;
  data?: unknown;
}

/**
 * Appends one row to the event log. Call it inside the transaction that makes the state change,
 * so the change and its event commit (or roll back) together.
 */
export function appendEvent(sqlite: Database.Database, event: EventInput, now: number): number {
  const insert = cachedStatement(
    sqlite,
    'INSERT INTO events (type, todo_id, data, created_at) VALUES (?, ?, ?, ?)',
  );
  const info = insert.run(
    event.type,
    event.todoId ?? null,
    event.data === undefined ? null : JSON.stringify(event.data),
    now,
  );
  const id = Number(info.lastInsertRowid);
  lastAppended.set(sqlite, id);
  return id;
}
