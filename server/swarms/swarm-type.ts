import type { SwarmSpec } from '../../shared/swarm-spec.js';
import type { SwarmContext, SwarmOutcome } from './context.js';

/** One swarm type: its spec checks (run before any model call) and its control flow. */
export interface SwarmTypeModule {
  /** Throws SwarmSpecError naming the offending field. */
  validate?(spec: SwarmSpec): void;
  run(ctx: SwarmContext): Promise<SwarmOutcome>;
}
