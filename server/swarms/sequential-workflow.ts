import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * Agents run in list order; each is given the whole transcript so far (the task and every
 * earlier answer). `max_loops` repeats the chain, later loops seeing the earlier ones.
 */
export const sequentialWorkflow: SwarmTypeModule = {
  /** Exact: every agent once per loop. */
  minimumCalls(spec) {
    return modelCallsOf(everyLoop(spec.max_loops, spec.agents.map(asked)));
  },

  async run(ctx) {
    let final = '';
    for (let loop = 1; loop <= ctx.spec.max_loops; loop++) {
      for (const agent of ctx.agents) {
        final = await ctx.ask(agent, ctx.transcript.render());
        ctx.transcript.add(agent.agent_name, final);
      }
    }
    return { final };
  },
};
