import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';

export interface EventRecord {
  id: number;
  type: string;
  todoId: number | null;
  data: unknown;
  createdAt: number;
}

export interface EventRow {
  id: number;
  type: string;
  todo_id: number | null;
  data: string | null;
  created_at: number;
}

export function readEventsAfter(sqlite: Database.Database, afterId: number, limit: number): EventRecord[] {
  const rows = cachedStatement(
    sqlite,
    'SELECT id, type, todo_id, data, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?',
  ).all(afterId, limit) as EventRow[];
  return rows.map(toEventRecord);
}

export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    type: row.type,
    todoId: row.todo_id,
    data: row.data === null ? null : JSON.parse(row.data),
    createdAt: row.created_at,
  };
}
