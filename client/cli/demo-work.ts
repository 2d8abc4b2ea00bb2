import { EXAMPLE_SWARM_SPEC, type SwarmSpecInput } from '../../shared/swarm-spec.js';

const analyst = EXAMPLE_SWARM_SPEC.agents[0]!;
const agent = (agent_name: string, description: string, role = 'worker') => ({
  agent_name,
  description,
  system_prompt: `You are the ${agent_name}. ${description}.`,
  model_name: 'gpt-4o',
  role,
});

/**
 * What `swarmtask up` enqueues: the original system's example work item, as published, and a few
 * of other swarm types so the first minutes show the whole range.
 */
export const DEMO_WORK: SwarmSpecInput[] = [
  EXAMPLE_SWARM_SPEC,
  {
    name: 'Due Diligence Chain',
    description: 'Research, then risk review, then a memo',
    agents: [analyst, agent('Risk Officer', 'Finds the risks in an analysis'), agent('Memo Writer', 'Writes a one-page investment memo')],
    swarm_type: 'SequentialWorkflow',
    task: 'Assess an investment in a mid-size AI chip designer',
  },
  {
    name: 'Sector Vote',
    description: 'Three analysts vote on the strongest sector',
    agents: [agent('Analyst A', 'Macro view'), agent('Analyst B', 'Bottom-up view'), agent('Analyst C', 'Quant view'), agent('Judge', 'Writes the consensus', 'consensus')],
    swarm_type: 'MajorityVoting',
    task: 'Which sector leads next year: semiconductors, software or energy? End with the sector name on the last line.',
  },
  {
    name: 'Research Pipeline',
    description: 'Fan-out research, then synthesis',
    agents: [agent('Collector', 'Gathers facts'), agent('Skeptic', 'Challenges claims'), agent('Editor', 'Merges findings into a brief')],
    swarm_type: 'AgentRearrange',
    rearrange_flow: 'Collector, Skeptic -> Editor',
    task: 'Brief on the state of open-weight language models',
  },
];
