import type { LeaseOutcome } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';
import { LEASE_MATCHES, type LeaseHolder, type LeaseRef } from './lease-holder.js';
import { returnToQueue } from './return-to-queue.js';

export interface FailureReport extends LeaseRef {
  error: string;
}

/**
 * The worker gave up: the todo returns to the queue, at once or after the queue's back-off
 * (SWARMTASK_RETRY_DELAY_MS, doubling per attempt), or fails after its last attempt.
 */
export function reportFailures(core: Core, holder: LeaseHolder, reports: FailureReport[], now = Date.now()): LeaseOutcome[] {
  const backoff = { baseMs: core.queue.retryDelayMs, maxMs: core.queue.retryDelayMaxMs };
  return endLeases(core, holder, reports, (report) => ({ outcome: 'failed', error: report.error, backoff }), now);
}

/** The worker hands work back unstarted (graceful shutdown): the attempt is not counted. */
export function releaseLeases(core: Core, holder: LeaseHolder, leases: LeaseRef[], now = Date.now()): LeaseOutcome[] {
  return endLeases(core, holder, leases, () => ({ outcome: 'released', error: null }), now);
}

export interface Decline extends LeaseRef {
  reason: string;
}

/**
 * The worker will not do it (said before spending anything): the todo returns to the queue with
 * the attempt refunded; the assignment row keeps the key from being offered it again.
 */
export function declineLeases(core: Core, holder: LeaseHolder, declines: Decline[], now = Date.now()): LeaseOutcome[] {
  return endLeases(
    core,
    holder,
    declines,
    (decline) => ({ outcome: 'declined', error: decline.reason, lastError: `declined by ${holder.stakingKey.slice(0, 8)}…: ${decline.reason}` }),
    now,
  );
}

function endLeases<T extends LeaseRef>(
  core: Core,
  holder: LeaseHolder,
  items: T[],
  why: (item: T) => { outcome: 'failed' | 'released' | 'declined'; error: string | null; lastError?: string; backoff?: { baseMs: number; maxMs: number } },
  now: number,
): LeaseOutcome[] {
  const outcomes = immediate(core.db, () => {
    const holds = cachedStatement(core.sqlite, `SELECT 1 FROM todos WHERE ${LEASE_MATCHES}`);
    return items.map((item): LeaseOutcome => {
      if (!holds.get({ todoId: item.todoId, leaseToken: item.leaseToken, stakingKey: holder.stakingKey })) {
        return { todoId: item.todoId, ok: false, reason: 'LEASE_LOST' };
      }
      const status = returnToQueue(core.sqlite, { ...item, holderKey: holder.stakingKey }, why(item), now);
      return { todoId: item.todoId, ok: true, status };
    });
  });
  if (outcomes.some((o) => o.ok)) core.bus.notify();
  return outcomes;
}
