import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../server/db/sqlite.js';

/** The worker's one SQLite file in its data dir: the outbox, and what its runs spent. */
export const WORKER_DB_FILE = 'worker.db';

/** Asked to look at a worker's data dir where no worker has kept its file. */
export class NoOutboxError extends Error {
  constructor(readonly dataDir: string) {
    super(`no worker outbox in ${dataDir} (a worker started with --data ${dataDir} keeps its ${WORKER_DB_FILE} there)`);
    this.name = 'NoOutboxError';
  }
}

/**
 * Opens `<dataDir>/worker.db`: for the worker, created if need be, in WAL mode (its parts each
 * keep a connection; a reader beside a running worker does not block it); with `readOnly`, an
 * existing one to look at (NoOutboxError if there is none).
 */
export function openWorkerDb(dataDir: string, options: { readOnly?: boolean } = {}): { db: Database.Database; file: string } {
  const file = join(dataDir, WORKER_DB_FILE);
  let db: Database.Database;
  if (options.readOnly) {
    if (!existsSync(file)) throw new NoOutboxError(dataDir);
    db = openSqlite(file, { readonly: true, fileMustExist: true });
  } else {
    mkdirSync(dataDir, { recursive: true });
    db = openSqlite(file);
    db.pragma('journal_mode = WAL');
  }
  db.pragma('busy_timeout = 5000');
  return { db, file };
}
