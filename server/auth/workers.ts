import { DomainError } from '../../shared/errors.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import { tryPublicKeyFromBase58 } from '../../shared/ed25519.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';

export interface WorkerRecord {
  stakingKey: string;
  mainWalletKey: string | null;
  githubUsername: string | null;
  stake: number;
  registeredAt: number;
  lastSeenAt: number | null;
}

export interface WorkerRow {
  staking_key: string;
  main_wallet_key: string | null;
  github_username: string | null;
  stake: number;
  registered_at: number;
  last_seen_at: number | null;
}

export const toWorkerRecord = (row: WorkerRow): WorkerRecord => ({
  stakingKey: row.staking_key,
  mainWalletKey: row.main_wallet_key,
  githubUsername: row.github_username,
  stake: row.stake,
  registeredAt: row.registered_at,
  lastSeenAt: row.last_seen_at,
});

export function findWorker(core: Pick<Core, 'sqlite'>, stakingKey: string): WorkerRecord | undefined {
  const row = cachedStatement(core.sqlite, 'SELECT * FROM workers WHERE staking_key = ?').get(stakingKey) as
    | WorkerRow
    | undefined;
  return row && toWorkerRecord(row);
}

/** A worker proves key ownership by signing; registration alone grants nothing until staked. */
export function registerWorker(
  core: Core,
  input: { stakingKey: string; mainWalletKey?: string | undefined; githubUsername?: string | undefined },
  now = Date.now(),
): WorkerRecord {
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      `INSERT INTO workers (staking_key, main_wallet_key, github_username, stake, registered_at, last_seen_at)
       VALUES (@stakingKey, @mainWalletKey, @githubUsername, 0, @now, @now)
       ON CONFLICT (staking_key) DO UPDATE SET
         main_wallet_key = coalesce(excluded.main_wallet_key, main_wallet_key),
         github_username = coalesce(excluded.github_username, github_username),
         last_seen_at = excluded.last_seen_at`,
    ).run({
      stakingKey: input.stakingKey,
      mainWalletKey: input.mainWalletKey ?? null,
      githubUsername: input.githubUsername ?? null,
      now,
    });
    appendEvent(core.sqlite, { type: 'worker.registered', data: { stakingKey: input.stakingKey, githubUsername: input.githubUsername ?? null } }, now);
  });
  core.bus.notify();
  forgetWorker(core, input.stakingKey);
  return findWorker(core, input.stakingKey)!;
}

/** Operator action: sets a key's stake (creating the worker row if the key never registered). */
export function setStake(core: Core, stakingKey: string, stake: number, now = Date.now()): WorkerRecord {
  if (tryPublicKeyFromBase58(stakingKey) === null) {
    throw new DomainError('INVALID_INPUT', `stakingKey: "${String(stakingKey).slice(0, 60)}" is not a base58 Ed25519 public key`, {
      field: 'stakingKey',
    });
  }
  if (!Number.isSafeInteger(stake) || stake < 0) {
    throw new DomainError('INVALID_INPUT', 'stake must be a non-negative integer number of base units', { field: 'stake' });
  }
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      `INSERT INTO workers (staking_key, stake, registered_at) VALUES (?, ?, ?)
       ON CONFLICT (staking_key) DO UPDATE SET stake = excluded.stake`,
    ).run(stakingKey, stake, now);
    appendEvent(core.sqlite, { type: 'worker.stake_set', data: { stakingKey, stake } }, now);
  });
  core.bus.notify();
  forgetWorker(core, stakingKey);
  return findWorker(core, stakingKey)!;
}

/**
 * Recently read worker rows, so a worker's every signed call does not re-read its row. Changes
 * made in this process drop the entry at once; changes another process (the CLI on the same
 * file) makes are seen within STAKE_CACHE_MS.
 */
const STAKE_CACHE_MS = 1000;
const recentWorkers = new WeakMap<object, Map<string, { worker: WorkerRecord | undefined; until: number }>>();

function cachedWorker(core: Pick<Core, 'sqlite'>, stakingKey: string, now: number): WorkerRecord | undefined {
  let cache = recentWorkers.get(core.sqlite);
  if (!cache) recentWorkers.set(core.sqlite, (cache = new Map()));
  const hit = cache.get(stakingKey);
  if (hit && hit.until > now) return hit.worker;
  const worker = findWorker(core, stakingKey);
  if (cache.size >= 10_000) cache.clear();
  cache.set(stakingKey, { worker, until: now + STAKE_CACHE_MS });
  return worker;
}

function forgetWorker(core: Pick<Core, 'sqlite'>, stakingKey: string): void {
  recentWorkers.get(core.sqlite)?.delete(stakingKey);
}

/** Fail closed: an unknown key or a stake below the minimum is refused. */
export function requireStakedWorker(core: Pick<Core, 'sqlite' | 'auth'>, stakingKey: string, now = Date.now()): WorkerRecord {
  const worker = cachedWorker(core, stakingKey, now);
  if (!worker) {
    throw new DomainError('STAKING_KEY_UNKNOWN', `staking key ${stakingKey} is not registered with this coordinator`);
  }
  if (worker.stake < core.auth.minStake) {
    throw new DomainError(
      'STAKE_TOO_LOW',
      `staking key ${stakingKey} has stake ${formatSwarms(worker.stake)}, below the minimum of ${formatSwarms(core.auth.minStake)} ` +
        `(${core.auth.minStake} base units)`,
    );
  }
  return worker;
}

const lastTouched = new Map<string, number>();

/** Marks a worker as recently active (auditor selection prefers them); at most one write per key per 10 s. */
export function touchWorker(core: Pick<Core, 'sqlite'>, stakingKey: string, now = Date.now()): void {
  if (now - (lastTouched.get(stakingKey) ?? 0) < 10_000) return;
  lastTouched.set(stakingKey, now);
  cachedStatement(core.sqlite, 'UPDATE workers SET last_seen_at = ? WHERE staking_key = ?').run(now, stakingKey);
}

export { forgetWorker };
