import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
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
  sqlite.pragma('cache_size = -65536');
  // Fewer, larger checkpoints: each one costs an fsync; the WAL is truncated back after them.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const db = drizzle(sqlite, { schema }) as Db;
  applyMigrations(sqlite, db, options.migrationsFolder ?? defaultMigrationsFolder());
  sqlite.pragma('foreign_keys = ON');
  return { db, sqlite, close: () => sqlite.close() };
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
