import { z } from 'zod';

/**
 * The work item schema of the original system (DESIGN Appendix A), field for field:
 * same names, same optionality, same defaults.
 */

/** Canonical swarm type names, spelled as upstream spells them (including "Hiearchical"). */
export const SWARM_TYPES = [
  'AgentRearrange',
  'MixtureOfAgents',
  'SpreadSheetSwarm',
  'SequentialWorkflow',
  'ConcurrentWorkflow',
  'GroupChat',
  'MultiAgentRouter',
  'AutoSwarmBuilder',
  'HiearchicalSwarm',
  'auto',
  'MajorityVoting',
] as const;

export type SwarmType = (typeof SWARM_TYPES)[number];

/** What a spec without swarm_type runs as (the Python SwarmRouter's default). */
export const DEFAULT_SWARM_TYPE: SwarmType = 'SequentialWorkflow';

/** Accepted spellings that map onto a canonical type name. */
export const SWARM_TYPE_ALIASES: Readonly<Record<string, SwarmType>> = {
  HierarchicalSwarm: 'HiearchicalSwarm',
};

export function normalizeSwarmType(name: string): SwarmType | undefined {
  if ((SWARM_TYPES as readonly string[]).includes(name)) return name as SwarmType;
  return SWARM_TYPE_ALIASES[name];
}

export const SwarmTypeSchema = z
  .string()
  .transform((value, ctx) => {
    const type = normalizeSwarmType(value);
    if (!type) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown swarm type "${value}"; expected one of ${SWARM_TYPES.join(', ')} (or HierarchicalSwarm)`,
      });
      return z.NEVER;
    }
    return type;
  });

export const AgentSpecSchema = z.object({
  agent_name: z.string().min(1),
  description: z.string().optional(),
  system_prompt: z.string().optional(),
  model_name: z.string().min(1),
  auto_generate_prompt: z.boolean().optional(),
  max_tokens: z.number().int().positive().default(8192),
  temperature: z.number().min(0).max(2).default(0.5),
  role: z.string().min(1).default('worker'),
  max_loops: z.number().int().positive().default(1),
});

export const ScheduleSpecSchema = z.object({
  scheduled_time: z.iso.datetime({ offset: true, local: true }),
  timezone: z.string().default('UTC'),
});

export const SwarmSpecSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  agents: z.array(AgentSpecSchema).min(1),
  max_loops: z.number().int().positive().default(1),
  swarm_type: SwarmTypeSchema.optional(),
  rearrange_flow: z.string().optional(),
  task: z.string().min(1),
  img: z.string().optional(),
  return_history: z.boolean().default(true),
  rules: z.string().optional(),
  schedule: ScheduleSpecSchema.optional(),
});

export type AgentSpec = z.output<typeof AgentSpecSchema>;
export type AgentSpecInput = z.input<typeof AgentSpecSchema>;
export type ScheduleSpec = z.output<typeof ScheduleSpecSchema>;
export type SwarmSpec = z.output<typeof SwarmSpecSchema>;
export type SwarmSpecInput = z.input<typeof SwarmSpecSchema>;

/** The original system's example work item (DESIGN Appendix A), as published. */
export const EXAMPLE_SWARM_SPEC: SwarmSpecInput = {
  name: 'Financial Analysis Swarm',
  description: 'Market analysis swarm',
  agents: [
    {
      agent_name: 'Market Analyst',
      description: 'Analyzes market trends',
      system_prompt: 'You are a financial analyst expert.',
      model_name: 'gpt-4o',
      role: 'worker',
      max_loops: 1,
      max_tokens: 8192,
      temperature: 0.5,
    },
  ],
  max_loops: 1,
  swarm_type: 'ConcurrentWorkflow',
  task: 'Analyze market trends for AI and tech sectors',
  return_history: true,
};
