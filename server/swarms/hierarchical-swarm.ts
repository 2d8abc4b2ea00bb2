import { z } from 'zod';
import type { AgentSpec, SwarmSpec } from '../../shared/swarm-spec.js';
import { SwarmRunError, SwarmSpecError } from './errors.js';
import { DIRECTOR_SYSTEM, directorPlanInput, directorReviewInput, workerOrderInput } from './prompts.js';
import { builtInAgent, findAgentByRole } from './roles.js';
import type { DirectorRound } from './types.js';
import { asked, askedStructured, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * A director (role `director`/`boss`, else a built-in "Director" on the first agent's model)
 * returns `{plan, orders:[{agent_name, task}]}`. Orders run: orders to different agents
 * concurrently, several orders to one agent one after another, all on the transcript as it
 * stood after the plan; results are recorded in order-list order. The director then reviews
 * them. `max_loops` = director ↔ worker rounds; the review of the last round is the director's
 * final summary and the answer.
 */
function roles(spec: SwarmSpec): { director: AgentSpec; workers: AgentSpec[] } {
  const explicit = findAgentByRole(spec.agents, ['director', 'boss']);
  const director = explicit ?? builtInAgent('Director', 'director', DIRECTOR_SYSTEM, spec.agents[0]!.model_name, spec.agents);
  return { director, workers: spec.agents.filter((a) => a !== explicit) };
}

const Order = z.object({ agent_name: z.string(), task: z.string() });
const Orders = z.object({ plan: z.string(), orders: z.array(Order).min(1) });

function wireSchema(workers: readonly AgentSpec[]) {
  const names = workers.map((w) => w.agent_name) as [string, ...string[]];
  return z.object({ plan: z.string(), orders: z.array(Order.extend({ agent_name: z.enum(names) })).min(1) });
}

export const hierarchicalSwarm: SwarmTypeModule = {
  validate(spec) {
    if (roles(spec).workers.length === 0) {
      throw new SwarmSpecError('HiearchicalSwarm needs at least one agent besides the director', 'agents');
    }
  },

  /**
   * A lower bound, reached: the director's plan decides the orders, and the schema demands at
   * least one per round. The cheapest run orders the one worker cheapest over all rounds,
   * between the director's plan (one structured call) and its review (a full ask).
   */
  minimumCalls(spec) {
    const { director, workers } = roles(spec);
    const round = (worker: AgentSpec) => [askedStructured(director), asked(worker), asked(director)];
    return Math.min(...workers.map((worker) => modelCallsOf(everyLoop(spec.max_loops, round(worker)))));
  },

  async run(ctx) {
    const { director, workers } = roles(ctx.spec);
    const byName = new Map(workers.map((w) => [w.agent_name, w]));
    const rounds = ctx.spec.max_loops;
    const hierarchy: DirectorRound[] = [];
    let final = '';
    for (let round = 1; round <= rounds; round++) {
      const { plan, orders } = await ctx.askStructured(
        director,
        directorPlanInput(ctx.transcript.render(), workers, round, rounds),
        { name: 'orders', description: 'The plan and one order per agent needed.', schema: Orders, wireSchema: wireSchema(workers) },
        'planning',
      );
      const unknown = orders.find((order) => !byName.has(order.agent_name));
      if (unknown) {
        throw new SwarmRunError(
          `${director.agent_name} gave an order to unknown agent "${unknown.agent_name}"; agents are: ${[...byName.keys()].join(', ')}`,
          'invalid_model_output',
          director.agent_name,
        );
      }
      ctx.transcript.add(director.agent_name, `Plan: ${plan}\nOrders:\n${orders.map((o) => `- ${o.agent_name}: ${o.task}`).join('\n')}`);
      const snapshot = ctx.transcript.render();
      // One queue per agent: an agent works its orders in turn, different agents at once.
      const queues = new Map<string, number[]>();
      orders.forEach((order, index) => queues.set(order.agent_name, [...(queues.get(order.agent_name) ?? []), index]));
      const results: string[] = new Array(orders.length);
      await ctx.all([...queues.entries()], async ([name, indexes], signal) => {
        for (const index of indexes) results[index] = await ctx.ask(byName.get(name)!, workerOrderInput(snapshot, orders[index]!.task), signal);
      });
      orders.forEach((order, index) => ctx.transcript.add(order.agent_name, results[index]!));
      final = await ctx.ask(director, directorReviewInput(ctx.transcript.render(), round === rounds));
      ctx.transcript.add(director.agent_name, final);
      hierarchy.push({ round, plan, orders, feedback: final });
    }
    return { final, extras: { hierarchy } };
  },
};
