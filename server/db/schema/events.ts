import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Append-only log of every state change; `id` is the resumable subscription cursor. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    todoId: integer('todo_id'),
    data: text('data', { mode: 'json' }),
    createdAt: integer('created_at').notNull(),
  },
);
