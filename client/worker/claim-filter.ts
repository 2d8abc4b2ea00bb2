import { DEFAULT_SWARM_TYPE } from '../../shared/swarm-spec.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';

/** What a `todo.available` announcement says about the todo (older coordinators may leave fields out). */
export interface AnnouncedTodo {
  reward?: number | null;
  swarmType?: string | null;
}

/**
 * Whether an announced todo is worth a claim call under the node's filter. Only a shortcut: the
 * coordinator applies the filter to the claim itself; an announcement that leaves a field out is
 * given the benefit of the doubt.
 */
export function mayMatchClaimFilter(filter: ClaimFilter, todo: AnnouncedTodo): boolean {
  if (filter.minReward !== undefined && typeof todo.reward === 'number' && todo.reward < filter.minReward) return false;
  if (filter.swarmTypes !== undefined && todo.swarmType !== undefined) {
    return (filter.swarmTypes as readonly string[]).includes(todo.swarmType ?? DEFAULT_SWARM_TYPE);
  }
  return true;
}

export function hasClaimFilter(filter: ClaimFilter | undefined): filter is ClaimFilter {
  return filter !== undefined && (filter.minReward !== undefined || filter.swarmTypes !== undefined);
}

/** `todos paying at least 250 SWARMS, of type ConcurrentWorkflow or MajorityVoting`; `any todo` without a filter. */
export function describeClaimFilter(filter: ClaimFilter | undefined): string {
  if (!hasClaimFilter(filter)) return 'any todo';
  const parts: string[] = [];
  if (filter.minReward !== undefined) parts.push(`paying at least ${formatSwarms(filter.minReward)}`);
  if (filter.swarmTypes !== undefined) {
    const types = filter.swarmTypes;
    parts.push(`of type ${types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`}`);
  }
  return `todos ${parts.join(', ')}`;
}
