import type Database from 'better-sqlite3';
/**
 * Rounds are fixed windows of wall-clock time: `round = floor((now − epoch) / roundMs)`
 * (DESIGN §4). Work submitted in round r is audited in round r+1 and paid at the end of r+1.
 */
export interface RoundClock {
  epochMs: number;
  roundMs: number;
}

export function roundAt(clock: RoundClock, now: number): number {
  return Math.floor((now - clock.epochMs) / clock.roundMs);
}

export function roundStartsAt(clock: RoundClock, round: number): number {
  return clock.epochMs + round * clock.roundMs;
}

export function roundEndsAt(clock: RoundClock, round: number): number {
  return roundStartsAt(clock, round + 1);
}

/**
 * The clock of the coordinator that last wrote a round to this store, from the newest round row:
 * its length is `ends_at − starts_at`. Null before any round. Readers that do not run rounds (the
 * CLI on a data dir) use it, since the round length is a server option they cannot know.
 */
export function recordedRoundClock(sqlite: Database.Database): RoundClock | null {
  const row = sqlite.prepare('SELECT number, starts_at, ends_at FROM rounds ORDER BY number DESC LIMIT 1').get() as
    | { number: number; starts_at: number; ends_at: number }
    | undefined;
  if (!row || row.ends_at <= row.starts_at) return null;
  const roundMs = row.ends_at - row.starts_at;
  return { roundMs, epochMs: row.starts_at - row.number * roundMs };
}
