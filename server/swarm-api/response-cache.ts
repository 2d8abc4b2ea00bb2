import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Results of identical requests (same canonical spec, same API key) within the TTL, like the
 * original API layer's cache. Bounded: the least recently used entry goes first. Keys include the
 * API key, so one caller never sees another's results. TTL 0 disables it.
 */
export class ResponseCache<T> {
  private entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  static keyOf(apiKeyId: string, kind: string, request: unknown): string {
    return `${apiKeyId}:${kind}:${createHash('sha256').update(canonicalJson(request)).digest('hex')}`;
  }

  get(key: string, now = Date.now()): T | undefined {
    if (this.ttlMs <= 0) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  set(key: string, value: T, now = Date.now()): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
