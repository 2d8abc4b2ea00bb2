import { signCanonical } from '../../shared/canonical-signature.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import type { SignedDistribution } from '../../shared/distribution.js';

export type { SignedDistribution } from '../../shared/distribution.js';

export function buildDistribution(core: Core, round: number): SignedDistribution {
  const rows = cachedStatement(core.sqlite, 'SELECT staking_key, amount FROM payouts WHERE round = ? ORDER BY staking_key').all(round) as {
    staking_key: string;
    amount: number;
  }[];
  const distribution = Object.fromEntries(rows.map((r) => [r.staking_key, r.amount]));
  const list = { taskId: core.auth.taskId, round, distribution, total: rows.reduce((sum, r) => sum + r.amount, 0) };
  return { list, coordinatorKey: core.coordinatorKey.publicKeyBase58, signature: signCanonical(list, core.coordinatorKey.secretKey) };
}

/**
 * Signs every tallied round's list with the coordinator's key and stores it on IPFS. Separate
 * from the tally because storing is asynchronous; a crash in between is repaired by the next tick
 * (the list is rebuilt from `payouts`, and ed25519 signatures are deterministic).
 */
export async function publishPendingDistributions(core: Core, now = Date.now()): Promise<number> {
  const pending = cachedStatement(
    core.sqlite,
    `SELECT number FROM rounds WHERE status = 'tallied' AND distribution_cid IS NULL ORDER BY number`,
  ).all() as { number: number }[];
  for (const { number: round } of pending) {
    const document = buildDistribution(core, round);
    const cid = await core.ipfs.add(new TextEncoder().encode(JSON.stringify(document)));
    immediate(core.db, () => {
      cachedStatement(core.sqlite, 'UPDATE rounds SET distribution_cid = ?, distribution_signature = ? WHERE number = ?').run(
        cid,
        document.signature,
        round,
      );
      appendEvent(core.sqlite, { type: 'round.distribution', data: { round, cid, total: document.list.total } }, now);
    });
    core.bus.notify();
  }
  return pending.length;
}
