import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const workers = sqliteTable(
  'workers',
  {
    stakingKey: text('staking_key').primaryKey(),
    mainWalletKey: text('main_wallet_key'),
    githubUsername: text('github_username'),
    stake: integer('stake').notNull().default(0),
    registeredAt: integer('registered_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
  },
  (t) => [index('workers_github_idx').on(t.githubUsername)],
);

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** SHA-256 of the secret part, hex. The secret itself is shown once and never stored. */
  secretHash: text('secret_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
  lastUsedAt: integer('last_used_at'),
});

/** Replay protection: a nonce is kept until its signature window has passed. */
export const nonces = sqliteTable(
  'nonces',
  {
    stakingKey: text('staking_key').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stakingKey, t.nonce] }), index('nonces_expiry_idx').on(t.expiresAt)],
);
