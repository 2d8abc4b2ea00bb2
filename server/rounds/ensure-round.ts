import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { roundEndsAt, roundStartsAt } from './round-clock.js';

/** Creates the row of a round the first time anything happens in it. */
export function ensureRound(core: Core, round: number): void {
  cachedStatement(
    core.sqlite,
    `INSERT INTO rounds (number, starts_at, ends_at, status) VALUES (?, ?, ?, 'open') ON CONFLICT (number) DO NOTHING`,
  ).run(round, roundStartsAt(core.rounds, round), roundEndsAt(core.rounds, round));
}
