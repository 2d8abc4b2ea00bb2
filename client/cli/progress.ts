import { formatSwarms } from '../../shared/swarms-units.js';
import { formatWait } from './status-view.js';
import { clip } from './output.js';
import { describeTodoChanges, type TodoChangesLike } from './todo-changes.js';

/**
 * Turns coordinator events into one human line each, for `swarmtask up`. Unknown or noisy events
 * (heartbeats, internal bookkeeping) print nothing.
 */
export interface EventLike {
  id: number;
  type: string;
  todoId: number | null;
  data: unknown;
  /** When it was recorded (ms); times in the line are told relative to it. */
  createdAt?: number;
}


export function describeEvent(event: EventLike, names: Map<string, string>): string | null {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const who = (key: unknown) => (typeof key === 'string' ? (names.get(key) ?? `${key.slice(0, 8)}…`) : '?');
  const todo = event.todoId === null ? '' : `todo ${event.todoId}`;
  switch (event.type) {
    case 'todo.created':
      return `${todo} queued`;
    case 'todo.claimed':
      return `${todo} claimed by ${who(d.stakingKey)} (attempt ${String(d.attempt)})`;
    case 'todo.submitted':
      return `${todo} swarm finished on ${who(d.stakingKey)}; result and signed proof stored on IPFS`;
    case 'todo.failed_attempt':
      return typeof d.retryAt === 'number'
        ? `${todo} failed on ${who(d.stakingKey)}: ${String(d.error)}; back in the queue, claimable again in ${formatWait(d.retryAt - (event.createdAt ?? Date.now()))}`
        : `${todo} failed on ${who(d.stakingKey)}: ${String(d.error)}; back in the queue`;
    case 'todo.declined':
      return `${todo} declined by ${who(d.stakingKey)}: ${String(d.error)}; back in the queue for another node`;
    case 'todo.lease_expired':
      return `${todo} lease of ${who(d.stakingKey)} expired; back in the queue`;
    case 'submission.received':
      return `${todo} submitted by ${who(d.stakingKey)} for round ${String(d.round)} (${String(d.submissionCid).slice(0, 16)}…)`;
    case 'audit.assigned':
      return `${todo} audit assigned to ${who(d.auditorKey)}`;
    case 'audit.voted':
      return `${todo} audit by ${who(d.auditorKey)}: ${String(d.vote)} (${clip(String(d.reason), 60)})`;
    case 'submission.approved':
      return `${todo} approved: ${who(d.stakingKey)} earns ${formatSwarms(Number(d.amount))}`;
    case 'submission.rejected':
      return `${todo} rejected in audit; back in the queue`;
    case 'todo.done':
      return `${todo} done`;
    case 'todo.cancelled':
      return `${todo} cancelled`;
    case 'todo.updated': {
      const changes = describeTodoChanges((d.changes ?? {}) as TodoChangesLike, event.createdAt ?? Date.now());
      return changes === '' ? null : `${todo} updated by the operator: ${changes}`;
    }
    case 'todo.redriven':
      return `${todo} redriven: back in the queue with a fresh attempt budget`;
    case 'queue.paused':
      return `claims paused by the operator${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    case 'queue.resumed':
      return `claims resumed after ${formatWait(Number(d.pausedMs))}`;
    // Every round is tallied and gets a (possibly empty) signed list, every 15 s under `up`;
    // lines for rounds that had no work would bury the ones that matter.
    case 'round.tallied':
      if (Number(d.approved) === 0 && Number(d.rejected) === 0) return null;
      return `round ${String(d.round)} tallied: ${String(d.approved)} approved, ${String(d.rejected)} rejected`;
    case 'round.distribution':
      if (Number(d.total) === 0) return null;
      return `round ${String(d.round)} payout list signed and stored: ${String(d.cid)} (total ${formatSwarms(Number(d.total))})`;
    default:
      return null;
  }
}
