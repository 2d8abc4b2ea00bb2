import type { LeaseOutcome } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';
import { LEASE_MATCHES, type LeaseHolder, type LeaseRef } from './lease-holder.js';

/** Extends each named lease by the lease duration; a lease already lost is reported as such. */
export function heartbeatLeases(core: Core, holder: LeaseHolder, leases: LeaseRef[], now = Date.now()): LeaseOutcome[] {
  const leaseExpiresAt = now + core.queue.leaseMs;
  return immediate(core.db, () => {
    const extendTodo = cachedStatement(
      core.sqlite,
      `UPDATE todos SET lease_expires_at = @leaseExpiresAt WHERE ${LEASE_MATCHES}`,
    );
    const extendAssignment = cachedStatement(
      core.sqlite,
      `UPDATE assignments SET lease_expires_at = ? WHERE todo_id = ? AND lease_token = ?`,
    );
    return leases.map((lease): LeaseOutcome => {
      const changed = extendTodo.run({ ...lease, stakingKey: holder.stakingKey, leaseExpiresAt }).changes;
      if (changed === 0) return { todoId: lease.todoId, ok: false, reason: 'LEASE_LOST' };
      extendAssignment.run(leaseExpiresAt, lease.todoId, lease.leaseToken);
      return { todoId: lease.todoId, ok: true, leaseExpiresAt };
    });
  });
}
