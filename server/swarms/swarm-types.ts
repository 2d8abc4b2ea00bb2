import type { SwarmType } from '../../shared/swarm-spec.js';
import { agentRearrange } from './agent-rearrange.js';
import { autoSwarmBuilder } from './auto-swarm-builder.js';
import { autoSwarm } from './auto-swarm.js';
import { concurrentWorkflow } from './concurrent-workflow.js';
import { groupChat } from './group-chat.js';
import { hierarchicalSwarm } from './hierarchical-swarm.js';
import { majorityVoting } from './majority-voting.js';
import { mixtureOfAgents } from './mixture-of-agents.js';
import { multiAgentRouter } from './multi-agent-router.js';
import { sequentialWorkflow } from './sequential-workflow.js';
import { spreadSheetSwarm } from './spreadsheet-swarm.js';
import type { SwarmTypeModule } from './swarm-type.js';

export const SWARM_TYPE_MODULES: Readonly<Record<SwarmType, SwarmTypeModule>> = {
  SequentialWorkflow: sequentialWorkflow,
  ConcurrentWorkflow: concurrentWorkflow,
  AgentRearrange: agentRearrange,
  MixtureOfAgents: mixtureOfAgents,
  SpreadSheetSwarm: spreadSheetSwarm,
  GroupChat: groupChat,
  MultiAgentRouter: multiAgentRouter,
  AutoSwarmBuilder: autoSwarmBuilder,
  HiearchicalSwarm: hierarchicalSwarm,
  MajorityVoting: majorityVoting,
  auto: autoSwarm,
};

export { DEFAULT_SWARM_TYPE } from '../../shared/swarm-spec.js';
