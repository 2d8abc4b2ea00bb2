import type Database from 'better-sqlite3';
import type { EventBus } from './event-bus.js';
import { readEventsAfter, type EventRecord } from './read-events.js';
import { requireResumable } from './prune-events.js';

export interface StreamEventsOptions {
  sqlite: Database.Database;
  bus: EventBus;
  /** Resume cursor: only events with a greater id are yielded. */
  afterId: number;
  /** `afterId` came from the subscriber: refuse it if the log no longer (or never) holds what follows it. */
  resuming?: boolean;
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
  if (options.resuming) requireResumable({ sqlite: options.sqlite }, cursor);
  while (!options.signal.aborted) {
    options.beforePage?.();
    const page = readEventsAfter(options.sqlite, cursor, pageSize);
    // Ids have no holes but the pruned head: a jump means the events after the cursor are gone.
    if (page.length > 0 && page[0]!.id > cursor + 1) requireResumable({ sqlite: options.sqlite }, cursor);
    for (const event of page) {
      cursor = event.id;
      if (!options.filter || options.filter(event)) yield event;
      if (options.signal.aborted) return;
    }
    if (page.length < pageSize) await options.bus.waitForNewerThan(cursor, options.signal);
  }
}
