import type Database from 'better-sqlite3';
import { openWorkerDb } from './worker-db.js';

/**
 * What this node spent on models, one row per swarm run (finished or stopped), in its data dir
 * (`worker.db`, beside the outbox): the record a spending limit per day is checked against, and
 * what `swarmtask outbox` reports. Kept across restarts, so a restart does not reset the day.
 */

export interface SpendEntry {
  todoId: number;
  at: number;
  costUsd: number;
  tokens: number;
  calls: number;
}

export interface SpendTotals {
  costUsd: number;
  tokens: number;
  calls: number;
  runs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend (
  id INTEGER PRIMARY KEY,
  todo_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  tokens INTEGER NOT NULL,
  calls INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS spend_at ON spend (at);
`;

export class SpendLedger {
  private readonly db: Database.Database;

  /** Opens (creating) the ledger in `<dataDir>/worker.db`; `readOnly` looks at an existing one (NoOutboxError if there is none). */
  constructor(dataDir: string, options: { readOnly?: boolean } = {}) {
    ({ db: this.db } = openWorkerDb(dataDir, options));
    if (!options.readOnly) this.db.exec(SCHEMA);
  }

  record(entry: SpendEntry): void {
    // A run cut off by a stop can end after the worker closed its files: nothing to keep it in then.
    if (!this.db.open) return;
    this.db
      .prepare('INSERT INTO spend (todo_id, at, cost_usd, tokens, calls) VALUES (?, ?, ?, ?, ?)')
      .run(entry.todoId, entry.at, entry.costUsd, entry.tokens, entry.calls);
  }

  /** Totals of the runs recorded after `since`, so a run recorded at t counts until t + window (zeros where no run was ever recorded). */
  spentSince(since: number): SpendTotals {
    if (!this.hasTable()) return { costUsd: 0, tokens: 0, calls: 0, runs: 0 };
    const row = this.db
      .prepare('SELECT coalesce(sum(cost_usd), 0) AS costUsd, coalesce(sum(tokens), 0) AS tokens, coalesce(sum(calls), 0) AS calls, count(*) AS runs FROM spend WHERE at > ?')
      .get(since) as SpendTotals;
    return { ...row, costUsd: Math.round(row.costUsd * 1e10) / 1e10 };
  }

  /** The runs recorded after `since`, oldest first (for working out when a window frees up). */
  entriesSince(since: number): SpendEntry[] {
    if (!this.hasTable()) return [];
    return this.db
      .prepare('SELECT todo_id AS todoId, at, cost_usd AS costUsd, tokens, calls FROM spend WHERE at > ? ORDER BY at, id')
      .all(since) as SpendEntry[];
  }

  /** Totals per UTC day of the runs recorded at or after `since`, newest day first (days without runs left out). */
  byDay(since: number): (SpendTotals & { day: string })[] {
    if (!this.hasTable()) return [];
    const rows = this.db
      .prepare(
        `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, sum(cost_usd) AS costUsd, sum(tokens) AS tokens, sum(calls) AS calls, count(*) AS runs
         FROM spend WHERE at >= ? GROUP BY day ORDER BY day DESC`,
      )
      .all(since) as (SpendTotals & { day: string })[];
    return rows.map((row) => ({ ...row, costUsd: Math.round(row.costUsd * 1e10) / 1e10 }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private hasTable(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spend'").get() !== undefined;
  }
}
