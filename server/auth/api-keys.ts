import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

/**
 * API keys look like `sk_<id>_<secret>`: the id finds the row, the secret is checked against its
 * SHA-256 (secrets are 32 random bytes, so a fast hash is enough; no password stretching needed).
 */
const KEY_PATTERN = /^sk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** `admin` keys may change state; `read` keys may only read (least privilege for dashboards and monitoring). */
export const API_KEY_SCOPES = ['admin', 'read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** When the key stops working (null: never). */
  expiresAt: number | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  scope: ApiKeyScope;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  expires_at: number | null;
}

const toInfo = (row: ApiKeyRow): ApiKeyInfo => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Creates a key and returns its full text; this is the only time the secret exists in clear.
 * With `expiresAt` (ms since the epoch, in the future) it stops working then, everywhere.
 */
export function createApiKey(
  core: Core,
  name: string,
  scope: ApiKeyScope = 'admin',
  now = Date.now(),
  expiresAt: number | null = null,
): { key: string; info: ApiKeyInfo } {
  if (expiresAt !== null && expiresAt <= now) {
    throw new DomainError('INVALID_INPUT', `expiresAt ${new Date(expiresAt).toISOString()} is not in the future`, { field: 'expiresAt' });
  }
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  immediate(core.db, () => {
    cachedStatement(core.sqlite, 'INSERT INTO api_keys (id, name, scope, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      name,
      scope,
      sha256(secret),
      now,
      expiresAt,
    );
    appendEvent(core.sqlite, { type: 'api_key.created', data: { id, name, scope, ...(expiresAt === null ? {} : { expiresAt }) } }, now);
  });
  core.bus.notify();
  return { key: `sk_${id}_${secret}`, info: { id, name, scope, createdAt: now, revokedAt: null, lastUsedAt: null, expiresAt } };
}

export function listApiKeys(core: Pick<Core, 'sqlite'>): ApiKeyInfo[] {
  return (cachedStatement(core.sqlite, 'SELECT * FROM api_keys ORDER BY created_at').all() as ApiKeyRow[]).map(toInfo);
}

export function revokeApiKey(core: Core, id: string, now = Date.now()): ApiKeyInfo {
  const row = immediate(core.db, () => {
    const updated = cachedStatement(
      core.sqlite,
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? RETURNING *',
    ).get(now, id) as ApiKeyRow | undefined;
    if (!updated) throw new DomainError('API_KEY_INVALID', `API key ${id} does not exist`);
    appendEvent(core.sqlite, { type: 'api_key.revoked', data: { id } }, now);
    return updated;
  });
  core.bus.notify();
  return toInfo(row);
}

/** Resolves a presented key to its record; throws API_KEY_MISSING / API_KEY_INVALID. */
export function verifyApiKey(core: Pick<Core, 'sqlite'>, presented: string | undefined | null, now = Date.now()): ApiKeyInfo {
  if (!presented) throw new DomainError('API_KEY_MISSING', 'an API key is required: send it as x-api-key or Authorization: Bearer');
  const match = KEY_PATTERN.exec(presented);
  const row = match
    ? (cachedStatement(core.sqlite, 'SELECT * FROM api_keys WHERE id = ?').get(match[1]) as ApiKeyRow | undefined)
    : undefined;
  const expected = row ? Buffer.from(row.secret_hash, 'hex') : Buffer.alloc(32);
  const actual = Buffer.from(sha256(match?.[2] ?? presented), 'hex');
  if (!row || !timingSafeEqual(expected, actual)) throw new DomainError('API_KEY_INVALID', 'the API key is not valid');
  refuseEnded(row, now);
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    // Coarse last-use tracking: at most one write per key per minute.
    cachedStatement(core.sqlite, 'UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
  }
  return toInfo(row);
}

/** A revoked or expired key is refused with what happened to it and when. */
function refuseEnded(row: Pick<ApiKeyRow, 'id' | 'revoked_at' | 'expires_at'>, now: number): void {
  if (row.revoked_at !== null) throw new DomainError('API_KEY_INVALID', `API key ${row.id} was revoked`);
  if (row.expires_at !== null && row.expires_at <= now) {
    throw new DomainError('API_KEY_INVALID', `API key ${row.id} expired at ${new Date(row.expires_at).toISOString()}: create another (swarmtask keys create)`);
  }
}

/**
 * For a connection that authenticated with a key earlier (a WebSocket, a subscription): throws if
 * the key has since been revoked or has expired, so ending a key ends what it had open.
 */
export function requireKeyStillValid(core: Pick<Core, 'sqlite'>, id: string, now = Date.now()): void {
  const row = cachedStatement(core.sqlite, 'SELECT id, revoked_at, expires_at FROM api_keys WHERE id = ?').get(id) as
    | Pick<ApiKeyRow, 'id' | 'revoked_at' | 'expires_at'>
    | undefined;
  if (!row) throw new DomainError('API_KEY_INVALID', `API key ${id} no longer exists`);
  refuseEnded(row, now);
}

/** A read-only key may not change state: `what` names what it tried (a procedure, an endpoint). */
export function requireWriteAccess(key: { id: string; scope: ApiKeyScope }, what: string): void {
  if (key.scope === 'read') {
    throw new DomainError('API_KEY_READ_ONLY', `API key ${key.id} is read-only and ${what} changes state or runs work: use an admin key`);
  }
}
