import { cachedStatement, literalLimit } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { returnToQueue } from './return-to-queue.js';
import { reopenDraft } from './record-draft-pr.js';
import { availableEventData } from './todo-events.js';

export interface SweepReport {
  expiredLeases: number;
  announced: number;
  noncesPurged: number;
}

/**
 * Periodic housekeeping, one transaction: expired leases (in progress, or held over a legacy
 * draft PR) go back to the queue (or fail),
 * scheduled todos whose time has come are announced, spent nonces are forgotten.
 */
export function sweepQueue(core: Core, now = Date.now(), batchLimit = 500): SweepReport {
  const limit = literalLimit(batchLimit);
  const report = immediate(core.db, () => {
    const expired = cachedStatement(
      core.sqlite,
      `SELECT id, status, lease_token, holder_key FROM todos
       WHERE status IN ('in_progress', 'draft_pr_received') AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ${limit}`,
    ).all(now) as { id: number; status: string; lease_token: string; holder_key: string }[];
    for (const row of expired) {
      const lease = { todoId: row.id, leaseToken: row.lease_token };
      if (row.status === 'draft_pr_received') reopenDraft(core.sqlite, { stakingKey: row.holder_key }, lease);
      returnToQueue(core.sqlite, { ...lease, holderKey: row.holder_key }, { outcome: 'expired', error: 'lease expired' }, now);
    }

    const due = cachedStatement(
      core.sqlite,
      `UPDATE todos SET announced = 1, updated_at = @now
       WHERE id IN (SELECT id FROM todos WHERE status = 'initialized' AND announced = 0 AND available_at <= @now LIMIT ${limit})
       RETURNING id, priority, reward, swarm_type`,
    ).all({ now }) as { id: number; priority: number; reward: number; swarm_type: string | null }[];
    for (const row of due) {
      appendEvent(
        core.sqlite,
        {
          type: 'todo.available',
          todoId: row.id,
          data: availableEventData({ priority: row.priority, reward: row.reward, spec: { swarm_type: row.swarm_type ?? undefined } }, row.id),
        },
        now,
      );
    }

    // A request signed before now − window is refused anyway; twice the window leaves room for skew.
    const purged = cachedStatement(core.sqlite, 'DELETE FROM nonces WHERE issued_at < ?').run(now - 2 * core.auth.signatureWindowMs).changes;
    return { expiredLeases: expired.length, announced: due.length, noncesPurged: purged };
  });
  if (report.expiredLeases > 0 || report.announced > 0) core.bus.notify();
  return report;
}
