import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type Synchronous = 'NORMAL' | 'FULL';

export interface OpenDbOptions {
  /** Path of the SQLite file; ':memory:' for throwaway stores. */
  file: string;
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
  migrationsFolder?: string;
}

export interface OpenedDb {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

/** The shipped `drizzle/` folder, found upward from this module (source tree or compiled `dist/`). */
let migrationsFolder: string | undefined;

/** The shipped migrations; the single binary unpacks its copy and says where. */
export function defaultMigrationsFolder(): string {
  return (migrationsFolder ??= findMigrationsFolder(dirname(fileURLToPath(import.meta.url))));
}

export function useMigrationsFolder(folder: string): void {
  migrationsFolder = folder;
}

function findMigrationsFolder(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = resolve(dir, 'drizzle');
    if (existsSync(resolve(candidate, 'meta/_journal.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no drizzle/ migrations folder found above ${start}`);
  }
}

/** The page cache per connection, in KiB (negative: SQLite's unit is KiB when below zero). */
export const CACHE_SIZE_KIB = -8192;

/**
 * Opens the store with the pragmas of DESIGN §3 and applies pending migrations.
 * `synchronous` is always set explicitly: a connection that switches a fresh file to WAL
 * otherwise keeps FULL, while later connections get better-sqlite3's compiled default.
 */
export function openDb(options: OpenDbOptions): OpenedDb {
  if (options.file !== ':memory:') mkdirSync(dirname(resolve(options.file)), { recursive: true });
  const sqlite = openSqlite(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqlite.pragma('temp_store = MEMORY');
  // 8 MiB, not more: every commit that split a b-tree page (balance_nonroot parks a page at
  // PENDING_BYTE/page_size + 1 while sorting) makes SQLite scan the page cache's whole hash table
  // (pcache1TruncateUnsafe). With 64 MiB full, as on a server that has run a while, that scan was
  // 11–19% of claim/complete CPU; at 8 MiB it is ~2%. Pages beyond it come from the OS page cache.
  sqlite.pragma(`cache_size = ${CACHE_SIZE_KIB}`);
  // Fewer, larger checkpoints: each one costs an fsync; the WAL is truncated back after them.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const db = drizzle(sqlite, { schema }) as Db;
  const folder = options.migrationsFolder ?? defaultMigrationsFolder();
  try {
    refuseNewerStore(sqlite, options.file, folder);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  applyMigrations(sqlite, db, folder);
  sqlite.pragma('foreign_keys = ON');
  return { db, sqlite, close: () => sqlite.close() };
}

/** A store migrated by a newer release, opened by an older one (a downgrade, or an old binary on a new data dir). */
export class StoreTooNewError extends Error {
  readonly code = 'STORE_TOO_NEW';
  constructor(file: string, applied: number, known: number) {
    super(
      `${file} was migrated by a newer swarmtask (its newest migration is from ${new Date(applied).toISOString()}; ` +
        `this build knows migrations up to ${new Date(known).toISOString()}): run the newer release, or restore a backup made by this one`,
    );
    this.name = 'StoreTooNewError';
  }
}

/**
 * drizzle applies only migrations newer than the newest one applied, so an older build would
 * run silently on tables it does not know. Refuses instead, touching nothing.
 */
function refuseNewerStore(sqlite: Database.Database, file: string, migrationsFolder: string): void {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return;
  const applied = (sqlite.prepare('SELECT max(created_at) AS newest FROM __drizzle_migrations').get() as { newest: number | null }).newest;
  const journal = JSON.parse(readFileSync(resolve(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const known = Math.max(0, ...journal.entries.map((entry) => entry.when));
  if (applied !== null && applied > known) throw new StoreTooNewError(file, applied, known);
}

export interface MigrationStatus {
  /** Migrations recorded in the store. */
  applied: number;
  /** Migrations this build ships that the store does not have yet (applied at the next start). */
  pending: number;
  /** The store has a migration newer than any this build knows (it refuses to start on it). */
  tooNew: boolean;
}

/** How a store's migrations compare with this build's, read without changing anything. */
export function migrationStatus(sqlite: Database.Database, folder = defaultMigrationsFolder()): MigrationStatus {
  const journal = JSON.parse(readFileSync(resolve(folder, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return { applied: 0, pending: journal.entries.length, tooNew: false };
  const { applied, newest } = sqlite.prepare('SELECT count(*) AS applied, max(created_at) AS newest FROM __drizzle_migrations').get() as { applied: number; newest: number | null };
  const known = Math.max(0, ...journal.entries.map((entry) => entry.when));
  return { applied, pending: journal.entries.filter((entry) => entry.when > (newest ?? 0)).length, tooNew: newest !== null && newest > known };
}

/**
 * drizzle runs the whole batch inside one transaction, where `PRAGMA foreign_keys=OFF` is a
 * no-op; turning it off on the connection first keeps table-rebuild migrations from firing
 * cascades. It is switched on again by the caller.
 */
function applyMigrations(sqlite: Database.Database, db: Db, migrationsFolder: string): void {
  sqlite.pragma('foreign_keys = OFF');
  migrate(db, { migrationsFolder });
}
