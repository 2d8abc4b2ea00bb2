import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { assignmentKeyIs, countClaimsBy } from '../queue/find-by-bounty.js';
import { workerEarnings, type WorkerEarnings } from '../rounds/worker-earnings.js';
import { findWorker, type WorkerRecord } from './workers.js';

/** A todo the worker holds right now, under a lease it has not returned. */
export interface HeldLease {
  todoId: number;
  status: string;
  claimedAt: number;
  leaseExpiresAt: number | null;
}

/** What an operator asks about one node: who it is, what it holds, what it earned. */
export interface WorkerDetail {
  worker: WorkerRecord;
  claims: number;
  holding: HeldLease[];
  earnings: WorkerEarnings;
}

export function workerDetail(core: Pick<Core, 'sqlite' | 'auth'>, stakingKey: string, recentRounds: number): WorkerDetail {
  const worker = findWorker(core, stakingKey);
  if (!worker) throw new DomainError('STAKING_KEY_UNKNOWN', `staking key ${stakingKey} is not registered with this coordinator`);
  // Its open assignments whose lease is still the todo's current one (heartbeats move the todo's expiry).
  const holding = cachedStatement(
    core.sqlite,
    `SELECT t.id AS todoId, t.status, a.claimed_at AS claimedAt, t.lease_expires_at AS leaseExpiresAt
     FROM assignments a JOIN todos t ON t.id = a.todo_id AND t.lease_token = a.lease_token
     WHERE ${assignmentKeyIs('@key', 'a.')} AND a.outcome = 'active'
     ORDER BY t.id`,
  ).all({ key: stakingKey }) as HeldLease[];
  return { worker, claims: countClaimsBy(core, stakingKey), holding, earnings: workerEarnings(core, stakingKey, recentRounds) };
}
