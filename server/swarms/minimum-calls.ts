import type { SwarmSpec, SwarmSpecInput, SwarmType } from '../../shared/swarm-spec.js';
import { DEFAULT_SWARM_TYPE, SWARM_TYPE_MODULES } from './swarm-types.js';
import { checkSwarmSpec, parseSwarmSpec } from './validate-spec.js';

/**
 * The fewest model calls `runSwarm` makes on `input` when no call fails: exact for swarm types
 * whose calls follow from the spec, the cheapest accepted model answers for the others. A
 * worker with a call budget can decline, before spending anything, a spec that cannot fit.
 * Throws SwarmSpecError for a spec runSwarm would reject (which makes no call at all).
 */
export function minimumModelCalls(input: SwarmSpec | SwarmSpecInput): number {
  const spec = parseSwarmSpec(input);
  const type = spec.swarm_type ?? DEFAULT_SWARM_TYPE;
  // The same checks runSwarm makes first, so each type's count sees a spec its run accepts.
  checkSwarmSpec(spec, type);
  return minimumCallsOf(spec, type);
}

function minimumCallsOf(spec: SwarmSpec, type: SwarmType): number {
  // Every swarm asks at least one agent once.
  return SWARM_TYPE_MODULES[type].minimumCalls?.(spec, minimumCallsOf) ?? 1;
}
