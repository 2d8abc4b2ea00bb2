import { renderMessages } from './transcript.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * Every agent gets the task at the same time; answers are recorded in list order. In loops
 * after the first, every agent is shown the task and all previous answers. A failing agent is
 * reported in `errors` (the run is `partial`) and the others' answers are kept; only when no
 * agent answers at all does the run fail.
 */
export const concurrentWorkflow: SwarmTypeModule = {
  /** Exact: every agent once per loop. */
  minimumCalls(spec) {
    return modelCallsOf(everyLoop(spec.max_loops, spec.agents.map(asked)));
  },

  async run(ctx) {
    let lastLoop: { role: string; content: string }[] = [];
    let firstError: unknown;
    let answered = 0;
    for (let loop = 1; loop <= ctx.spec.max_loops; loop++) {
      const input = loop === 1 ? ctx.spec.task : ctx.transcript.render();
      const settled = await ctx.settle(ctx.agents, (agent, signal) => ctx.ask(agent, input, signal));
      lastLoop = [];
      settled.forEach((result, index) => {
        const agent = ctx.agents[index]!;
        if (result.status === 'fulfilled') {
          ctx.transcript.add(agent.agent_name, result.value);
          lastLoop.push({ role: agent.agent_name, content: result.value });
          answered += 1;
        } else {
          firstError ??= result.reason;
          ctx.recordFailure(agent.agent_name, loop, result.reason);
        }
      });
    }
    if (answered === 0) throw firstError;
    return { final: lastLoop.length === 1 ? lastLoop[0]!.content : renderMessages(lastLoop) };
  },
};
