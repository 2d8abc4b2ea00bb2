import type { SwarmType } from '../../shared/swarm-spec.js';

/** One line per swarm type — what it does and what `max_loops` means — for `swarms.types` and docs. */
export const SWARM_TYPE_CATALOG: Readonly<Record<SwarmType, { summary: string; max_loops: string }>> = {
  SequentialWorkflow: { summary: 'Agents in list order, each seeing the task and the whole transcript so far.', max_loops: 'repeats the chain' },
  ConcurrentWorkflow: { summary: 'All agents answer the task at once; a failing agent is reported, the others kept.', max_loops: 'rounds; later rounds see all previous answers' },
  AgentRearrange: { summary: 'Runs rearrange_flow ("A -> B, C"); comma groups run concurrently on one snapshot.', max_loops: 'repeats the flow' },
  MixtureOfAgents: { summary: 'Layers of workers, then the aggregator (role aggregator, else the last agent) synthesizes.', max_loops: 'worker layers' },
  SpreadSheetSwarm: { summary: 'Every agent runs the task independently and concurrently; result table and CSV.', max_loops: 'runs per agent' },
  GroupChat: { summary: 'Round-robin discussion; an @Name in the last message picks the next speaker.', max_loops: 'rounds in which every agent speaks once' },
  MultiAgentRouter: { summary: 'A router hands the task off to agents by description; every selected agent runs.', max_loops: 'routing rounds' },
  AutoSwarmBuilder: { summary: 'A builder model designs the agents and picks a swarm type, then runs it.', max_loops: 'passed to the generated swarm' },
  HiearchicalSwarm: { summary: 'A director plans and orders agents, reviews their results, and writes the final summary.', max_loops: 'director ↔ worker rounds' },
  MajorityVoting: { summary: 'Agents answer concurrently, final lines are counted, a consensus agent synthesizes.', max_loops: 'voting rounds' },
  auto: { summary: 'Picks a type from the flow, agents, roles and task wording (a real model may refine it).', max_loops: 'as for the chosen type' },
};
