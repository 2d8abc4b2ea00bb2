import { z } from 'zod';
import type { AgentSpec, SwarmSpec } from '../../shared/swarm-spec.js';
import { SwarmRunError, SwarmSpecError } from './errors.js';
import { ROUTER_SYSTEM, routerInput } from './prompts.js';
import { builtInAgent, findAgentByRole } from './roles.js';
import { renderMessages } from './transcript.js';
import type { RoutingDecision } from './types.js';
import { asked, askedStructured, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * The router (the agent with role `router`/`boss`, else a built-in "Agent Router" on the first
 * agent's model) returns structured hand-offs `{handoffs:[{agent_name, reasoning, task?}]}`,
 * choosing among the other agents by their descriptions. Every selected agent runs,
 * concurrently, on its hand-off task (or the task), and every answer is kept. The decision is
 * recorded in the transcript. `max_loops` = routing rounds: in later rounds the router and the
 * selected agents are shown the transcript so far. A hand-off to an unknown agent fails the
 * run with SwarmRunError("invalid_model_output") naming it.
 */
function roles(spec: SwarmSpec): { router: AgentSpec; workers: AgentSpec[] } {
  const explicit = findAgentByRole(spec.agents, ['router', 'boss']);
  const router = explicit ?? builtInAgent('Agent Router', 'router', ROUTER_SYSTEM, spec.agents[0]!.model_name, spec.agents);
  return { router, workers: spec.agents.filter((a) => a !== explicit) };
}

const Handoff = z.object({ agent_name: z.string(), reasoning: z.string(), task: z.string().optional() });
const Handoffs = z.object({ handoffs: z.array(Handoff).min(1) });

function wireSchema(workers: readonly AgentSpec[]) {
  const names = workers.map((w) => w.agent_name) as [string, ...string[]];
  return z.object({ handoffs: z.array(Handoff.extend({ agent_name: z.enum(names) })).min(1) });
}

export const multiAgentRouter: SwarmTypeModule = {
  validate(spec) {
    if (roles(spec).workers.length === 0) {
      throw new SwarmSpecError('MultiAgentRouter needs at least one agent besides the router', 'agents');
    }
  },

  /**
   * A lower bound, reached: the router picks the hand-offs, and the schema demands at least one
   * per round. The cheapest run routes every round to the one worker cheapest over all rounds
   * (spreading rounds over several workers only adds prompt-writing calls).
   */
  minimumCalls(spec) {
    const { router, workers } = roles(spec);
    return Math.min(...workers.map((worker) => modelCallsOf(everyLoop(spec.max_loops, [askedStructured(router), asked(worker)]))));
  },

  async run(ctx) {
    const { router, workers } = roles(ctx.spec);
    const byName = new Map(workers.map((w) => [w.agent_name, w]));
    const routing: RoutingDecision[] = [];
    let lastRound: { role: string; content: string }[] = [];
    for (let round = 1; round <= ctx.spec.max_loops; round++) {
      const context = round === 1 ? ctx.spec.task : ctx.transcript.render();
      const decision = await ctx.askStructured(
        router,
        routerInput(context, workers),
        { name: 'handoffs', description: 'The agents to hand the task to.', schema: Handoffs, wireSchema: wireSchema(workers) },
        'routing',
      );
      for (const handoff of decision.handoffs) {
        if (!byName.has(handoff.agent_name)) {
          throw new SwarmRunError(
            `${router.agent_name} handed off to unknown agent "${handoff.agent_name}"; agents are: ${[...byName.keys()].join(', ')}`,
            'invalid_model_output',
            router.agent_name,
          );
        }
      }
      routing.push({ round, router: router.agent_name, handoffs: decision.handoffs });
      ctx.transcript.add(router.agent_name, JSON.stringify(decision));
      const snapshot = ctx.transcript.render();
      const answers = await ctx.all(decision.handoffs, (handoff, signal) => {
        const task = handoff.task?.trim() || ctx.spec.task;
        return ctx.ask(byName.get(handoff.agent_name)!, round === 1 ? task : `${snapshot}\n\nYour task: ${task}`, signal);
      });
      lastRound = decision.handoffs.map((handoff, i) => ({ role: handoff.agent_name, content: answers[i]! }));
      for (const message of lastRound) ctx.transcript.add(message.role, message.content);
    }
    return { final: lastRound.length === 1 ? lastRound[0]!.content : renderMessages(lastRound), extras: { routing } };
  },
};
