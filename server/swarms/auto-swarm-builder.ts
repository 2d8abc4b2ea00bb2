import { z } from 'zod';
import type { AgentSpec, SwarmSpec, SwarmType } from '../../shared/swarm-spec.js';
import { SwarmRunError, SwarmSpecError } from './errors.js';
import { chainFlow } from './flow-parser.js';
import { BUILDER_SYSTEM, builderInput } from './prompts.js';
import { builtInAgent } from './roles.js';
import type { GeneratedSwarm } from './types.js';
import { askedStructured, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/** What the builder may choose: every type except itself and `auto`. */
export const BUILDABLE_TYPES: readonly SwarmType[] = [
  'SequentialWorkflow',
  'ConcurrentWorkflow',
  'AgentRearrange',
  'MixtureOfAgents',
  'SpreadSheetSwarm',
  'GroupChat',
  'MultiAgentRouter',
  'HiearchicalSwarm',
  'MajorityVoting',
];

const Design = z.object({
  name: z.string(),
  description: z.string(),
  swarm_type: z.enum(BUILDABLE_TYPES as [SwarmType, ...SwarmType[]]),
  rearrange_flow: z.string().optional(),
  rules: z.string().optional(),
  agents: z
    .array(z.object({ agent_name: z.string().min(1), description: z.string(), system_prompt: z.string() }))
    .min(2)
    .max(8),
});

/** The designer; built in, on the first agent's model. */
function builderFor(spec: SwarmSpec): AgentSpec {
  return builtInAgent('Swarm Builder', 'builder', BUILDER_SYSTEM, spec.agents[0]!.model_name, spec.agents);
}

/**
 * The cheapest swarm a design can make: an AgentRearrange whose flow names a single agent, one
 * call per loop (generated agents take one turn and write no prompt); every other type asks at
 * least one agent per loop too.
 */
function cheapestGeneratedRun(spec: SwarmSpec): number {
  return spec.max_loops;
}

/**
 * A builder model (a built-in "Swarm Builder" on the first agent's model) designs the agents
 * (AgentSpec fields) and picks the swarm type — and a flow for AgentRearrange; without one the
 * agents are chained in order — by structured output. The design is checked like a submitted
 * spec (an invalid design fails the run as invalid_model_output), recorded in the transcript,
 * returned as `generated_spec`, and run with the request's task, max_loops, rules and img.
 * The generated agents use the first agent's model.
 */
export const autoSwarmBuilder: SwarmTypeModule = {
  /** A lower bound: the design is the model's, so the builder's call plus the cheapest design. */
  minimumCalls(spec) {
    return modelCallsOf([askedStructured(builderFor(spec))]) + cheapestGeneratedRun(spec);
  },

  async run(ctx) {
    const model = ctx.agents[0]!.model_name;
    const builder = builderFor(ctx.spec);
    const design = await ctx.askStructured(
      builder,
      builderInput(ctx.spec.task, BUILDABLE_TYPES),
      { name: 'swarm_design', description: 'The agents and the swarm type for the task.', schema: Design },
      'building',
    );
    const generated: GeneratedSwarm = {
      name: design.name,
      description: design.description,
      swarm_type: design.swarm_type,
      agents: design.agents.map((agent) => ({ ...agent, model_name: model })),
    };
    if (design.swarm_type === 'AgentRearrange') generated.rearrange_flow = design.rearrange_flow?.trim() || chainFlow(design.agents.map((a) => a.agent_name));
    if (design.rules) generated.rules = design.rules;
    const spec: SwarmSpec = {
      ...ctx.spec,
      name: design.name,
      description: design.description,
      swarm_type: design.swarm_type,
      rules: [ctx.spec.rules, design.rules].filter(Boolean).join('\n\n') || undefined,
      rearrange_flow: generated.rearrange_flow,
      agents: design.agents.map((agent) => ({
        ...agent,
        model_name: model,
        role: 'worker',
        max_tokens: 8192,
        temperature: 0.5,
        max_loops: 1,
      })),
    };
    try {
      ctx.checkSpec(spec, design.swarm_type);
    } catch (err) {
      if (!(err instanceof SwarmSpecError)) throw err;
      throw new SwarmRunError(`Swarm Builder designed an invalid swarm: ${err.message}`, 'invalid_model_output', builder.agent_name, { cause: err });
    }
    ctx.transcript.add(builder.agent_name, JSON.stringify(generated));
    const outcome = await ctx.runSwarmType(design.swarm_type, spec);
    return { ...outcome, numberOfAgents: spec.agents.length, extras: { ...outcome.extras, generated_spec: generated } };
  },
};
