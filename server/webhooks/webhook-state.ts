import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';

/**
 * Where webhook delivery stands, one settings row: the URL it is for, the last event id handed
 * over (every matching event up to it was delivered, or skipped as not matching), and the current
 * failure streak. Written after each delivery, so a restart (even after kill -9) goes on from
 * there: events are delivered at least once, and once unless the process dies mid-delivery.
 */
export interface WebhookState {
  url: string;
  cursor: number;
  /** When a delivery last succeeded (null: none yet). */
  deliveredAt: number | null;
  failing: { since: number; attempts: number; error: string } | null;
}

const KEY = 'webhook';

export function readWebhookState(sqlite: Database.Database): WebhookState | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as WebhookState) : null;
}

export function saveWebhookState(core: Pick<Core, 'db' | 'sqlite'>, state: WebhookState, now = Date.now()): void {
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ).run(KEY, JSON.stringify(state), now);
  });
}

/**
 * The state to go on from for `url`: the stored one if it is for that URL; otherwise (a first
 * webhook, or another URL) a fresh one at the newest event, so a new receiver is not flooded with
 * the whole history.
 */
export function webhookStartState(sqlite: Database.Database, url: string): WebhookState {
  const stored = readWebhookState(sqlite);
  if (stored && stored.url === url) return stored;
  const { id } = cachedStatement(sqlite, 'SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number };
  return { url, cursor: id, deliveredAt: null, failing: null };
}
