/**
 * Reconnect delay with full jitter: a random point in [0, min(cap, base·2^attempt)]. After a
 * coordinator restart every worker reconnects at once; jitter spreads them out (tRPC's default
 * backoff has none and its first retry is immediate).
 */
export function jitteredBackoff(options: { baseMs?: number; capMs?: number; random?: () => number } = {}) {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 30_000;
  const random = options.random ?? Math.random;
  return (attempt: number): number => Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}
