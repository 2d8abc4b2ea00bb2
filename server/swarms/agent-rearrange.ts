import { SwarmSpecError } from './errors.js';
import { parseFlow } from './flow-parser.js';
import { renderMessages } from './transcript.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * Runs `rearrange_flow` step by step. Each step is a barrier; the agents of a comma group run
 * concurrently on one snapshot of the transcript (so they never see each other's answers) and
 * their answers are appended in flow order. `max_loops` repeats the whole flow.
 */
export const agentRearrange: SwarmTypeModule = {
  validate(spec) {
    if (spec.rearrange_flow === undefined) {
      throw new SwarmSpecError('rearrange_flow is required for AgentRearrange (e.g. "A -> B, C")', 'rearrange_flow');
    }
    parseFlow(spec.rearrange_flow, spec.agents.map((a) => a.agent_name));
  },

  /** Exact: every name of every step of the flow is one ask, once per loop. */
  minimumCalls(spec) {
    const byName = new Map(spec.agents.map((agent) => [agent.agent_name, agent]));
    const flow = parseFlow(spec.rearrange_flow ?? '', [...byName.keys()]);
    return modelCallsOf(everyLoop(spec.max_loops, flow.flat().map((name) => asked(byName.get(name)!))));
  },

  async run(ctx) {
    const byName = new Map(ctx.agents.map((agent) => [agent.agent_name, agent]));
    const flow = parseFlow(ctx.spec.rearrange_flow ?? '', [...byName.keys()]);
    let lastStep: { role: string; content: string }[] = [];
    for (let loop = 1; loop <= ctx.spec.max_loops; loop++) {
      for (const step of flow) {
        const snapshot = ctx.transcript.render();
        const answers = await ctx.all(step, (name, signal) => ctx.ask(byName.get(name)!, snapshot, signal));
        lastStep = step.map((name, i) => ({ role: name, content: answers[i]! }));
        for (const message of lastStep) ctx.transcript.add(message.role, message.content);
      }
    }
    return { final: lastStep.length === 1 ? lastStep[0]!.content : renderMessages(lastStep) };
  },
};
