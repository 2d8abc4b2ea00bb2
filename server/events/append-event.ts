import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';

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
  return Number(info.lastInsertRowid);
}
