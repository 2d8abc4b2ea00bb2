import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';
import { assignAudits } from './assign-audits.js';
import { ensureRound } from './ensure-round.js';
import { publishPendingDistributions } from './publish-distribution.js';
import { roundAt } from './round-clock.js';
import { submitLegacyReviews } from './legacy-submissions.js';
import { tallyRound, type TallyResult } from './tally-round.js';

/**
 * The coordinator's round work, run by the sweeper: expire and assign audits, tally every round
 * whose audit round has ended, then publish the signed distribution lists.
 */
export async function roundTick(core: Core, now = Date.now()): Promise<{ assigned: number; expired: number; tallied: TallyResult[] }> {
  const current = roundAt(core.rounds, now);
  await submitLegacyReviews(core, now);
  const result = immediate(core.db, () => {
    ensureRound(core, current);
    const audits = assignAudits(core, now);
    // Round r closes when r+1 (its audit round) has ended, i.e. from round r+2 on.
    const open = cachedStatement(core.sqlite, `SELECT number FROM rounds WHERE status != 'tallied' AND number <= ? ORDER BY number`).all(
      current - 2,
    ) as { number: number }[];
    const tallied = open.map(({ number }) => tallyRound(core, number, now));
    return { ...audits, tallied };
  });
  core.bus.notify();
  await publishPendingDistributions(core, now);
  return result;
}
