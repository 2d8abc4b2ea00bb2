import type { RefusalData } from './refusal-data.js';

/**
 * The coordinator's time as this machine best knows it: the local clock plus the offset learned
 * from the last refusal of a stale timestamp. A node whose clock drifted minutes off (a VM after a
 * suspend, a board without NTP) would otherwise have every signed call refused for good; like
 * cloud SDKs that correct clock skew, it signs with the coordinator's time instead, and says so.
 * Replays stay refused: the coordinator still checks every timestamp against its own window and
 * every nonce against its store.
 */
export class ServerClock {
  private offset = 0;
  private readonly listeners = new Set<(offsetMs: number) => void>();

  constructor(private readonly localNow: () => number = Date.now) {}

  /** Milliseconds the coordinator's clock is ahead of this machine's (negative: behind). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Now, on the coordinator's clock: what signed payloads carry and lease deadlines are measured against. */
  now(): number {
    return this.localNow() + this.offset;
  }

  /** A moment on the coordinator's clock (a lease's end), on this machine's. */
  toLocal(serverTimeMs: number): number {
    return serverTimeMs - this.offset;
  }

  /**
   * Learns the offset from a refusal that carried the coordinator's time (other errors are
   * ignored). Moves of less than a second are the network's delay, not drift: many calls refused
   * at once each bring about the same time, and the first one sets it.
   */
  learnFrom(refusal: RefusalData | undefined): void {
    if (refusal?.reason !== 'TIMESTAMP_OUT_OF_WINDOW') return;
    const serverTimeMs = refusal.serverTimeMs;
    if (typeof serverTimeMs !== 'number' || !Number.isSafeInteger(serverTimeMs)) return;
    const offset = serverTimeMs - this.localNow();
    if (Math.abs(offset - this.offset) < 1000) return;
    this.offset = offset;
    for (const listener of this.listeners) listener(offset);
  }

  /** Called with the new offset each time it changes; returns a function that stops it. */
  onChange(listener: (offsetMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

