import type { RoundClock } from './round-clock.js';

export interface RoundsConfig extends RoundClock {
  auditQuorum: number;
  auditTimeoutMs: number;
  /** Total reward per round at most, base units; 0 = no cap. */
  bountyCap: number;
  slashFraction: number;
}
