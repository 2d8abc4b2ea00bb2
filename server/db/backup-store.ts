import type Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { openSqlite } from './sqlite.js';

const STORE_FILE = 'swarmtask.db';
/** The coordinator's signing key lives beside the store, not in it: a secret, kept apart. */
const COORDINATOR_KEY_FILE = 'coordinator-key.json';

const coordinatorKeyIn = (dataDir: string): string | null => {
  const file = resolve(dataDir, COORDINATOR_KEY_FILE);
  return existsSync(file) ? file : null;
};

/** What a store file holds, to say what a backup or a restore carried. */
export interface StoreSummary {
  file: string;
  bytes: number;
  /** Migrations applied to it (a newer store has more). */
  migrations: number;
  todos: number;
  rounds: number;
  events: number;
  workers: number;
  /** Embedded IPFS blocks (proofs, payout lists). */
  blocks: number;
}

/** A backup or restore that must not go ahead; the message says why and what to do. */
export class StoreFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFileError';
  }
}

const COUNTED_TABLES = ['todos', 'rounds', 'events', 'workers', 'blocks'] as const;

/**
 * Opens a file read-only and checks that it is a whole swarmtask store: SQLite's integrity check
 * passes and the tables are there. Throws StoreFileError naming the file otherwise.
 */
export function inspectStore(file: string): StoreSummary {
  if (!existsSync(file)) throw new StoreFileError(`${file} does not exist`);
  let sqlite: Database.Database;
  try {
    sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreFileError(`${file} cannot be opened as SQLite: ${(error as Error).message}`);
  }
  try {
    const integrity = readOrFail(file, () => sqlite.pragma('integrity_check', { simple: true }));
    if (integrity !== 'ok') throw new StoreFileError(`${file} fails SQLite's integrity check: ${String(integrity)}`);
    const tables = new Set(
      (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name),
    );
    const missing = ['__drizzle_migrations', ...COUNTED_TABLES].filter((table) => !tables.has(table));
    if (missing.length > 0) throw new StoreFileError(`${file} is not a swarmtask store (no ${missing.join(', ')} table)`);
    const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    return {
      file,
      bytes: statSync(file).size,
      migrations: count('__drizzle_migrations'),
      todos: count('todos'),
      rounds: count('rounds'),
      events: count('events'),
      workers: count('workers'),
      blocks: count('blocks'),
    };
  } finally {
    sqlite.close();
  }
}

/** A file that is not SQLite at all fails on its first read, not on open. */
function readOrFail<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new StoreFileError(`${file} cannot be read as SQLite: ${(error as Error).message}`);
  }
}

/**
 * Copies the data dir's store to `target` while a coordinator may be running on it. `VACUUM INTO`
 * reads one consistent snapshot (WAL readers do not block the coordinator's writes, and its writes
 * cannot make the copy restart, as they can the page-by-page backup API), writes it compacted, and
 * includes what is still only in the WAL; copying the files by hand can catch a half-written one.
 */
export function backupStore(dataDir: string, target: string): StoreSummary & { source: string; ms: number; coordinatorKeyFile: string | null } {
  const source = resolve(dataDir, STORE_FILE);
  if (!existsSync(source)) throw new StoreFileError(`no swarmtask store in ${dataDir} (${source} does not exist)`);
  const output = resolve(target);
  if (existsSync(output)) throw new StoreFileError(`${output} already exists: give a new file name (a backup never overwrites)`);
  if (!existsSync(dirname(output))) throw new StoreFileError(`${dirname(output)} does not exist: create the directory first`);
  const started = performance.now();
  const sqlite = openSqlite(source, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    sqlite.prepare('VACUUM INTO ?').run(output);
  } finally {
    sqlite.close();
  }
  const ms = Math.round(performance.now() - started);
  try {
    return { ...inspectStore(output), source, ms, coordinatorKeyFile: coordinatorKeyIn(dataDir) };
  } catch (error) {
    rmSync(output, { force: true });
    throw error;
  }
}

/**
 * Puts a backup in place as the data dir's store. Holds the data dir's lock meanwhile, so it
 * refuses while a coordinator runs there (and none can start halfway). The store it replaces is
 * kept beside it, checkpointed first so nothing only in its WAL is lost.
 */
export function restoreStore(
  backup: string,
  dataDir: string,
  options: { replace?: boolean; now?: Date } = {},
): StoreSummary & { keptPrevious: string | null; coordinatorKeyFile: string | null } {
  const store = resolve(dataDir, STORE_FILE);
  if (resolve(backup) === store) throw new StoreFileError(`${store} is the data dir's own store: restore from a backup file`);
  const summary = inspectStore(resolve(backup));
  let lock: DataDirLock;
  try {
    lock = lockDataDir(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const who = error.holder ? ` (pid ${error.holder.pid}${error.holder.url ? `, ${error.holder.url}` : ''})` : '';
    throw new StoreFileError(`a coordinator is running on the data dir ${dataDir}${who}: stop it before restoring into it`);
  }
  try {
    let keptPrevious: string | null = null;
    if (existsSync(store)) {
      if (!options.replace) {
        throw new StoreFileError(`${store} already exists: pass --replace to restore over it (it is kept as ${STORE_FILE}.before-restore-<time>)`);
      }
      checkpointAway(store);
      keptPrevious = `${store}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(store, keptPrevious);
    }
    // A WAL left beside a store file that is gone must not be replayed into the restored one.
    for (const suffix of ['-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
    // Copied beside the store and renamed into place: a crash leaves the old store or the new, never half of one.
    const incoming = `${store}.restoring`;
    copyFileSync(resolve(backup), incoming);
    renameSync(incoming, store);
    return { ...summary, file: store, keptPrevious, coordinatorKeyFile: coordinatorKeyIn(dataDir) };
  } finally {
    lock.release();
  }
}

/** Folds the WAL into the main file and removes the -wal/-shm files, so the main file is the whole store. */
function checkpointAway(store: string): void {
  const sqlite = openSqlite(store, { fileMustExist: true });
  try {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma('journal_mode = DELETE');
  } finally {
    sqlite.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
}
