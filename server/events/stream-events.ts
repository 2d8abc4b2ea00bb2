import type Database from 'better-sqlite3';
import type { EventBus } from './event-bus.js';
import { readEventsAfter, type EventRecord } from './read-events.js';

export interface StreamEventsOptions {
  sqlite: Database.Database;
  bus: EventBus;
  /** Resume cursor: only events with a greater id are yielded. */
  afterId: number;
  signal: AbortSignal;
  filter?: (event: EventRecord) => boolean;
  pageSize?: number;
  /**
   * Called before each page is read; throwing stops the stream. The WebSocket layer uses it to
   * drop a consumer whose socket buffer is over its limit (tRPC's WS adapter does not await
   * sends), which then reconnects and resumes from its last id.
   */
  beforePage?: () => void;
}

/**
 * Yields the event log from a cursor, then follows it live. Reading pages from the table rather
 * than buffering pushed events makes resume gap-free and keeps memory per subscriber constant.
 */
export async function* streamEvents(options: StreamEventsOptions): AsyncGenerator<EventRecord> {
  const pageSize = options.pageSize ?? 256;
  let cursor = options.afterId;
  while (!options.signal.aborted) {
    options.beforePage?.();
    const page = readEventsAfter(options.sqlite, cursor, pageSize);
    for (const event of page) {
      cursor = event.id;
      if (!options.filter || options.filter(event)) yield event;
      if (options.signal.aborted) return;
    }
    if (page.length < pageSize) await options.bus.waitForNewerThan(cursor, options.signal);
  }
}
