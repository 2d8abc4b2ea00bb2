import type Database from 'better-sqlite3';
import { cachedStatement } from '../db/statements.js';
import { lastAppendedEventId } from './append-event.js';

/**
 * Wakes subscribers when the event log grows. It carries no payloads: subscribers read the log
 * from their own cursor, so a slow subscriber costs one integer of memory, never a queue.
 * A poll of `max(id)` also catches rows written by other processes (the CLI on the same file).
 */
export class EventBus {
  private lastId: number;
  private waiters = new Set<() => void>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(private readonly sqlite: Database.Database) {
    this.lastId = this.readMaxId();
  }

  get latestId(): number {
    return this.lastId;
  }

  /** Call after a transaction that appended events commits (no query: the id is remembered). */
  notify(upToId?: number): void {
    const id = upToId ?? lastAppendedEventId(this.sqlite);
    if (id <= this.lastId) return;
    this.lastId = id;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves once the log holds an id greater than `afterId`, or when `signal` aborts. */
  waitForNewerThan(afterId: number, signal: AbortSignal): Promise<void> {
    if (this.lastId > afterId || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  startPolling(intervalMs: number): void {
    this.stopPolling();
    // Catches rows other processes (the CLI on the same file) appended.
    this.pollTimer = setInterval(() => this.notify(this.readMaxId()), intervalMs);
    this.pollTimer.unref();
  }

  stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private readMaxId(): number {
    const row = cachedStatement(this.sqlite, 'SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number };
    return row.id;
  }
}
