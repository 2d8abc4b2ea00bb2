import type { Logger } from 'pino';
import type { Core } from '../core.js';
import { hasEventsBefore, pruneEventsChunk } from './prune-events.js';
import { logJobFailure } from '../db/store-failure.js';

const DAY_MS = 86_400_000;

/**
 * Keeps the event log to its retention window. The sweeper calls `tick` every interval: one index
 * probe when nothing has expired; otherwise the expired head is deleted in chunks, one per turn
 * of the event loop, so calls keep being served while a long backlog (retention just switched on)
 * drains.
 */
export class EventPruner {
  private running = false;
  private stopped = false;
  private readonly retentionMs: number;

  constructor(
    private readonly core: Pick<Core, 'db' | 'sqlite'>,
    retentionDays: number,
    private readonly log: Logger,
    private readonly chunkRows = 2000,
  ) {
    this.retentionMs = Math.round(retentionDays * DAY_MS);
  }

  tick(now = Date.now()): void {
    if (this.retentionMs === 0 || this.running || this.stopped) return;
    const before = now - this.retentionMs;
    if (!hasEventsBefore(this.core, before)) return;
    this.running = true;
    let deleted = 0;
    const step = () => {
      try {
        if (this.stopped) return;
        const chunk = pruneEventsChunk(this.core, before, this.chunkRows);
        deleted += chunk.deleted;
        if (chunk.more) {
          setImmediate(step);
          return;
        }
        if (deleted > 0) this.log.info({ deleted, before: new Date(before).toISOString() }, 'pruned events past their retention');
      } catch (error) {
        logJobFailure(this.log, error, 'event pruning');
      }
      this.running = false;
    };
    step();
  }

  stop(): void {
    this.stopped = true;
  }
}
