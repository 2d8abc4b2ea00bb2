import { openSqlite } from './sqlite.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const LOCK_FILE = 'coordinator.lock';
const HOLDER_FILE = 'coordinator.json';

export interface Holder {
  pid: number;
  startedAt: string;
  url?: string;
}

/** A second coordinator on a data dir that one already serves. */
export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly holder: Holder | null,
  ) {
    const who = holder ? ` (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}, since ${holder.startedAt})` : '';
    super(`another coordinator is already running on the data dir ${dataDir}${who}: stop it first, or give this one another --data / SWARMTASK_DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** Records where the holder listens, for the message a second coordinator prints. */
  setUrl(url: string): void;
  release(): void;
}

/**
 * One coordinator per data dir: two would both sweep leases, tick rounds and sign payout lists
 * for the same store. (CLI commands on the data dir are fine: they change rows the way API calls
 * do.) The lock is an exclusive SQLite lock on a file of its own, so the kernel drops it the
 * moment its process dies, `kill -9` included: a crashed coordinator never blocks its restart,
 * as a PID file or a lock directory would.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const holderFile = resolve(dataDir, HOLDER_FILE);
  const lock = openSqlite(resolve(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    lock.pragma('journal_mode = MEMORY'); // the file only carries the lock: no journal beside it
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirInUseError(dataDir, readHolder(holderFile));
    throw error;
  }
  const holder: Holder = { pid: process.pid, startedAt: new Date().toISOString() };
  const write = () => writeFileSync(holderFile, `${JSON.stringify(holder)}\n`);
  write();
  let released = false;
  return {
    setUrl(url) {
      holder.url = url;
      write();
    },
    release() {
      if (released) return;
      released = true;
      rmSync(holderFile, { force: true });
      lock.close();
    },
  };
}

/**
 * The coordinator serving this data dir, if one is: what it recorded, when its process is alive.
 * Read-only (it takes no lock), for status displays; a record left by a killed coordinator is ignored.
 */
export function runningCoordinator(dataDir: string): Holder | null {
  const holder = readHolder(resolve(dataDir, HOLDER_FILE));
  if (!holder) return null;
  try {
    process.kill(holder.pid, 0);
    return holder;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? holder : null;
  }
}

function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.startedAt === 'string' ? (parsed as Holder) : null;
  } catch {
    return null;
  }
}
