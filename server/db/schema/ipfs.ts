import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Embedded IPFS block store: raw block bytes keyed by their CID string. */
export const blocks = sqliteTable('blocks', {
  cid: text('cid').primaryKey(),
  data: blob('data', { mode: 'buffer' }).notNull(),
  size: integer('size').notNull(),
  createdAt: integer('created_at').notNull(),
});
