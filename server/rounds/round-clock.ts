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
