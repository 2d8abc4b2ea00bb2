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
  /** After this (ms since the epoch) the key is refused; null: it does not expire. */
  expiresAt: integer('expires_at'),
  /** `admin` may change state; `read` may only read (a dashboard's key, say). */
  scope: text('scope', { enum: ['admin', 'read'] }).notNull().default('admin'),
});

/**
 * Replay protection: a signed request's nonce, kept until its signature window has passed.
 * Keyed by the signed timestamp first: a replay repeats the signed payload, timestamp included,
 * so it still collides, while inserts land at the recent end of the index instead of at a random
 * page per call (random nonces first made this index a third of all pages a commit wrote), and
 * the purge of old nonces walks the same key.
 */
export const nonces = sqliteTable(
  'nonces',
  {
    issuedAt: integer('issued_at').notNull(),
    stakingKey: text('staking_key').notNull(),
    nonce: text('nonce').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuedAt, t.stakingKey, t.nonce] })],
);
