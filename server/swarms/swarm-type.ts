import type { AgentSpec, SwarmSpec, SwarmType } from '../../shared/swarm-spec.js';
import type { SwarmContext, SwarmOutcome } from './context.js';

/** The minimum of another swarm type on `spec` (what `auto` may hand its spec to). */
export type MinimumCallsOf = (spec: SwarmSpec, type: SwarmType) => number;

/** One swarm type: its spec checks (run before any model call) and its control flow. */
export interface SwarmTypeModule {
  /** Throws SwarmSpecError naming the offending field. */
  validate?(spec: SwarmSpec): void;
  /**
   * The fewest model calls a run of `spec` (already validated) makes when no call fails.
   * Types whose calls follow from the spec alone give the exact count; types where a model's
   * answer decides the rest (who gets work, what swarm is built) give the count of the
   * cheapest answer the code accepts. `minimumOf` answers for other types, injected like
   * `ctx.runSwarmType` is so that no swarm file imports the type registry.
   */
  minimumCalls?(spec: SwarmSpec, minimumOf: MinimumCallsOf): number;
  run(ctx: SwarmContext): Promise<SwarmOutcome>;
}

/** One agent call site in a run: `ctx.ask` or `ctx.askStructured`, with its own model calls. */
export interface PlannedAsk {
  agent: AgentSpec;
  calls: number;
}

/** `ctx.ask`: one call per turn, and an agent takes `max_loops` turns. */
export function asked(agent: AgentSpec): PlannedAsk {
  return { agent, calls: agent.max_loops };
}

/** `ctx.askStructured`: a single call whatever the agent's `max_loops`. */
export function askedStructured(agent: AgentSpec): PlannedAsk {
  return { agent, calls: 1 };
}

/** `asks` once per loop, `loops` times. */
export function everyLoop(loops: number, asks: readonly PlannedAsk[]): PlannedAsk[] {
  return Array.from({ length: loops }, () => asks).flat();
}

/**
 * Model calls made by `asks` when none fails: each ask's own calls, plus one prompt-writing
 * call per distinct agent with auto_generate_prompt, since the runner caches that prompt per
 * run by agent name (only an agent's first ask pays for it).
 */
export function modelCallsOf(asks: readonly PlannedAsk[]): number {
  const prompted = new Set(asks.filter(({ agent }) => agent.auto_generate_prompt).map(({ agent }) => agent.agent_name));
  return asks.reduce((sum, { calls }) => sum + calls, 0) + prompted.size;
}
