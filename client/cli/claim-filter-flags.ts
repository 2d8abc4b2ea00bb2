import { normalizeSwarmType, SWARM_TYPES, type SwarmType } from '../../shared/swarm-spec.js';
import { parseSwarms } from '../../shared/swarms-units.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';
import type { LimitSource } from './budget-flags.js';
import { CliError } from './output.js';

/**
 * A worker's choice of work from `--min-reward SWARMS` and `--swarm-types A,B` (or their
 * variables); undefined when neither is given. Bad values exit 2 naming the flag.
 */
export function claimFilterFromFlags(sources: { minReward: LimitSource; swarmTypes: LimitSource }): ClaimFilter | undefined {
  const filter: ClaimFilter = {};
  const { minReward, swarmTypes } = sources;
  if (minReward.text !== undefined && minReward.text !== '') {
    const units = parseSwarms(minReward.text);
    if (units === null) throw new CliError(`${minReward.name} must be an amount of SWARMS like 250 or 0.5 (at most 9 decimals), got "${minReward.text}"`, 2);
    if (units > 0) filter.minReward = units;
  }
  if (swarmTypes.text !== undefined && swarmTypes.text !== '') {
    const names = swarmTypes.text.split(',').map((name) => name.trim()).filter((name) => name !== '');
    const types: SwarmType[] = [];
    for (const name of names) {
      const type = normalizeSwarmType(name);
      if (!type) throw new CliError(`${swarmTypes.name}: unknown swarm type "${name}"; expected some of ${SWARM_TYPES.join(', ')} (or HierarchicalSwarm)`, 2);
      if (!types.includes(type)) types.push(type);
    }
    if (types.length === 0) throw new CliError(`${swarmTypes.name} names no swarm type`, 2);
    filter.swarmTypes = types;
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}
