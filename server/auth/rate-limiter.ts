import { DomainError } from '../../shared/errors.js';

export interface RateLimit {
  /** Tokens added per second; 0 disables the limit. */
  perSecond: number;
  /** Bucket size: how many calls may arrive at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by caller (API key, staking key or IP). Buckets that refilled completely
 * carry no information and are dropped, so memory follows the number of active callers.
 */
export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly label: string,
  ) {}

  /** Takes one token or throws RATE_LIMITED with the wait until the next one. */
  take(key: string, now = Date.now()): void {
    const retryAfterMs = this.tryTake(key, now);
    if (retryAfterMs > 0) {
      throw new DomainError('RATE_LIMITED', `rate limit for this ${this.label} exceeded; retry in ${Math.ceil(retryAfterMs / 1000)} s`, {
        retryAfterMs,
      });
    }
  }

  /** Returns 0 when a token was taken, else the milliseconds until one is available. */
  tryTake(key: string, now = Date.now()): number {
    if (this.limit.perSecond <= 0) return 0;
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, updatedAt: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1000);
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.perSecond;
      if (refilled >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
