import { SwarmSpecSchema, type SwarmSpec, type SwarmSpecInput, type SwarmType } from '../../shared/swarm-spec.js';

const agent = (name: string, extra: Partial<SwarmSpecInput['agents'][number]> = {}) => ({
  agent_name: name,
  description: `${name} does its part`,
  system_prompt: `You are ${name}.`,
  model_name: 'gpt-4o',
  ...extra,
});

/** One small spec per swarm type (offline model), for runs and for the well-formedness checks. */
export function specFor(type: SwarmType, name = `${type} job`): SwarmSpec {
  const base = { name, description: `${type} test`, task: `Analyze market trends for ${type}`, max_loops: 1, swarm_type: type };
  const team = [agent('Analyst'), agent('Critic'), agent('Editor')];
  switch (type) {
    case 'AgentRearrange':
      return SwarmSpecSchema.parse({ ...base, agents: team, rearrange_flow: 'Analyst -> Critic, Editor' });
    case 'HiearchicalSwarm':
      return SwarmSpecSchema.parse({ ...base, agents: [agent('Boss', { role: 'director' }), agent('Analyst'), agent('Critic')] });
    case 'ConcurrentWorkflow':
      return SwarmSpecSchema.parse({ ...base, agents: [agent('Market Analyst'), agent('Risk Analyst')] });
    default:
      return SwarmSpecSchema.parse({ ...base, agents: team });
  }
}
