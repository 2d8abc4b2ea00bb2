import { SwarmSpecError } from './errors.js';

/**
 * AgentRearrange flow grammar:
 *
 *     flow := step ( "->" step )*
 *     step := name ( "," name )*
 *
 * Names are trimmed and must equal an agent_name exactly. A step with several names is a
 * concurrent group; a name may appear in several steps; a flow without "->" is a single
 * fan-out step. Rejected, each with a message naming the token: an empty name (e.g. "a -> -> b",
 * "a,,b", a trailing "->"), an unknown name, and "H" — upstream's human-in-the-loop step, which a
 * server has no human to ask.
 */
export type Flow = string[][];

export function parseFlow(flow: string, agentNames: readonly string[]): Flow {
  if (flow.trim() === '') throw new SwarmSpecError('rearrange_flow is empty; expected e.g. "A -> B, C -> D"', 'rearrange_flow');
  const known = new Set(agentNames);
  return flow.split('->').map((stepText, stepIndex) =>
    stepText.split(',').map((raw) => {
      const name = raw.trim();
      if (name === '') {
        throw new SwarmSpecError(
          `rearrange_flow: empty agent name in step ${stepIndex + 1} ("${stepText.trim()}") of "${flow}"`,
          'rearrange_flow',
        );
      }
      if (name === 'H') {
        throw new SwarmSpecError('rearrange_flow: "H" (human-in-the-loop) is not supported; use agent names only', 'rearrange_flow');
      }
      if (!known.has(name)) {
        throw new SwarmSpecError(
          `rearrange_flow: unknown agent "${name}" in step ${stepIndex + 1}; agents are: ${agentNames.map((n) => `"${n}"`).join(', ')}`,
          'rearrange_flow',
        );
      }
      return name;
    }),
  );
}

/** The flow SequentialWorkflow-like chains use: every agent once, in order. */
export function chainFlow(agentNames: readonly string[]): string {
  return agentNames.join(' -> ');
}
