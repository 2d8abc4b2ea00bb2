/** Retry timing for the worker's own retries (reports, submissions, registration). */
export interface RetryPolicy {
  /** First delay (default 1000 ms); doubled per attempt. */
  baseMs?: number;
  /** Longest delay (default 60 000 ms). */
  capMs?: number;
}

/**
 * Delay before retry number `attempt` (1-based): half fixed, half random ("equal jitter"), so a
 * retry never fires at once but workers that failed together do not retry together.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = policy.baseMs ?? 1000;
  const cap = policy.capMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export { pause } from '../../shared/pause.js';
