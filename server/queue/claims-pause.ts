import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface ClaimsPause {
  since: number;
  reason: string | null;
}

const KEY = 'claims_paused';
/** A pause set by another process (the CLI on the data dir) reaches claims within this long. */
const CACHE_MS = 1000;
const cached = new WeakMap<Database.Database, { pause: ClaimsPause | null; until: number }>();

/** Whether claims are paused (null: they are not). Read on every claim, so kept for a second. */
export function claimsPause(core: Pick<Core, 'sqlite'>): ClaimsPause | null {
  const now = Date.now();
  const hit = cached.get(core.sqlite);
  if (hit && hit.until > now) return hit.pause;
  const pause = readPause(core.sqlite);
  cached.set(core.sqlite, { pause, until: now + CACHE_MS });
  return pause;
}

/**
 * Stops handing out work: claims answer with nothing while everything else goes on (held todos
 * are reported, leases expire and return, rounds are tallied). For maintenance and upgrades:
 * pause, let workers finish, then stop. Pausing a paused queue keeps its first pause.
 */
export function pauseClaims(core: Core, reason: string | null, now = Date.now()): { pause: ClaimsPause; changed: boolean } {
  const result = immediate(core.db, () => {
    const pause: ClaimsPause = { since: now, reason };
    const inserted = cachedStatement(core.sqlite, 'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(
      KEY,
      JSON.stringify(pause),
      now,
    ).changes;
    if (inserted === 0) return { pause: readPause(core.sqlite)!, changed: false };
    appendEvent(core.sqlite, { type: 'queue.paused', data: { reason } }, now);
    return { pause, changed: true };
  });
  cached.set(core.sqlite, { pause: result.pause, until: Date.now() + CACHE_MS });
  if (result.changed) core.bus.notify();
  return result;
}

/** Hands out work again; answers how long claims were paused (null if they were not). */
export function resumeClaims(core: Core, now = Date.now()): { pausedMs: number | null } {
  const pausedMs = immediate(core.db, () => {
    const pause = readPause(core.sqlite);
    if (!pause) return null;
    cachedStatement(core.sqlite, 'DELETE FROM settings WHERE key = ?').run(KEY);
    appendEvent(core.sqlite, { type: 'queue.resumed', data: { pausedMs: now - pause.since } }, now);
    return now - pause.since;
  });
  cached.set(core.sqlite, { pause: null, until: Date.now() + CACHE_MS });
  if (pausedMs !== null) core.bus.notify();
  return { pausedMs };
}

function readPause(sqlite: Database.Database): ClaimsPause | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as ClaimsPause) : null;
}
