import type { SwarmSpec } from '../../shared/swarm-spec.js';
import { SwarmSpecError } from './errors.js';
import { aggregatorInput, withPreviousAnswers } from './prompts.js';
import { findAgentByRole } from './roles.js';
import { renderMessages } from './transcript.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * `max_loops` layers of workers, then one synthesis. Layer 1 workers get the task; later layers
 * get the task plus the previous layer's answers; workers of a layer run concurrently. The
 * aggregator is the agent with role `aggregator` (then it only aggregates) or else the last
 * agent (then it is also a worker, as upstream wires it). It is shown the whole transcript.
 */
function roles(spec: SwarmSpec) {
  const explicit = findAgentByRole(spec.agents, ['aggregator']);
  const aggregator = explicit ?? spec.agents.at(-1)!;
  const workers = explicit ? spec.agents.filter((a) => a !== explicit) : spec.agents;
  return { aggregator, workers };
}

export const mixtureOfAgents: SwarmTypeModule = {
  validate(spec) {
    if (roles(spec).workers.length === 0) {
      throw new SwarmSpecError('MixtureOfAgents needs at least one worker besides the aggregator', 'agents');
    }
  },

  /** Exact: every worker once per layer, then the aggregator once. */
  minimumCalls(spec) {
    const { aggregator, workers } = roles(spec);
    return modelCallsOf([...everyLoop(spec.max_loops, workers.map(asked)), asked(aggregator)]);
  },

  async run(ctx) {
    const { aggregator, workers } = roles(ctx.spec);
    let previous: { role: string; content: string }[] = [];
    for (let layer = 1; layer <= ctx.spec.max_loops; layer++) {
      const input = layer === 1 ? ctx.spec.task : withPreviousAnswers(ctx.spec.task, 'Previous layer answers', renderMessages(previous));
      const answers = await ctx.all(workers, (agent, signal) => ctx.ask(agent, input, signal));
      previous = workers.map((agent, i) => ({ role: agent.agent_name, content: answers[i]! }));
      for (const message of previous) ctx.transcript.add(message.role, message.content);
    }
    const synthesis = await ctx.ask(aggregator, aggregatorInput(ctx.transcript.render()));
    ctx.transcript.add(aggregator.agent_name, synthesis);
    return { final: synthesis };
  },
};
