import type { SwarmSpec, SwarmType } from '../../shared/swarm-spec.js';
import { findAgentByRole } from './roles.js';

/**
 * How `auto` picks a swarm type without a model. First match wins:
 *
 * Structural rules (final; a model never overrides them):
 *  1. `rearrange_flow` is given               → AgentRearrange
 *  2. a single agent                          → SequentialWorkflow
 *  3. an agent's role: director/boss          → HiearchicalSwarm
 *                      router                 → MultiAgentRouter
 *                      aggregator             → MixtureOfAgents
 *                      consensus/judge        → MajorityVoting
 * Task keywords (a configured real model may refine these):
 *  4. vote, majority, consensus               → MajorityVoting
 *     debate, discuss(ion), conversation, brainstorm → GroupChat
 *     route, routing, triage, dispatch, classify     → MultiAgentRouter
 *     spreadsheet, csv, batch                 → SpreadSheetSwarm
 *     synthesize, combine, aggregate, merge   → MixtureOfAgents
 *     delegate, coordinate, manage, supervise, orchestrate → HiearchicalSwarm
 *     then, pipeline, step by step, sequence, sequential, followed by → SequentialWorkflow
 *     parallel, concurrent(ly), independent(ly), simultaneous(ly)   → ConcurrentWorkflow
 *  5. otherwise                               → SequentialWorkflow (upstream's fallback: each
 *     agent builds on the previous answers)
 */
export interface RuleChoice {
  type: SwarmType;
  reason: string;
  /** Decided by the spec's structure (flow, agent count, roles) rather than by wording. */
  structural: boolean;
}

const ROLE_RULES: readonly [readonly string[], SwarmType][] = [
  [['director', 'boss'], 'HiearchicalSwarm'],
  [['router'], 'MultiAgentRouter'],
  [['aggregator'], 'MixtureOfAgents'],
  [['consensus', 'judge'], 'MajorityVoting'],
];

const KEYWORD_RULES: readonly [RegExp, SwarmType, string][] = [
  [/\b(vote|votes|voting|majority|consensus)\b/i, 'MajorityVoting', 'the task asks for a vote or a consensus'],
  [/\b(debate|discuss|discussion|conversation|brainstorm)\b/i, 'GroupChat', 'the task asks for a discussion'],
  [/\b(route|routing|triage|dispatch|classify)\b/i, 'MultiAgentRouter', 'the task asks to route work to the right agent'],
  [/\b(spreadsheet|csv|batch)\b/i, 'SpreadSheetSwarm', 'the task asks for tabular or batch results'],
  [/\b(synthesi[sz]e|combine|aggregate|merge)\b/i, 'MixtureOfAgents', 'the task asks to synthesize several perspectives'],
  [/\b(delegate|coordinate|manage|supervise|orchestrate)\b/i, 'HiearchicalSwarm', 'the task asks for planning and delegation'],
  [/\b(then|pipeline|step[- ]by[- ]step|sequence|sequential|followed by)\b/i, 'SequentialWorkflow', 'the task describes ordered steps'],
  [/\b(parallel|concurrent|concurrently|independent|independently|simultaneous|simultaneously)\b/i, 'ConcurrentWorkflow', 'the task asks for independent parallel work'],
];

export function chooseSwarmTypeByRules(spec: Pick<SwarmSpec, 'agents' | 'rearrange_flow' | 'task'>): RuleChoice {
  if (spec.rearrange_flow !== undefined && spec.rearrange_flow.trim() !== '') {
    return { type: 'AgentRearrange', reason: 'a rearrange_flow was given', structural: true };
  }
  if (spec.agents.length === 1) return { type: 'SequentialWorkflow', reason: 'there is a single agent', structural: true };
  for (const [roles, type] of ROLE_RULES) {
    const agent = findAgentByRole(spec.agents, roles);
    if (agent) return { type, reason: `agent "${agent.agent_name}" has role "${agent.role}"`, structural: true };
  }
  for (const [pattern, type, reason] of KEYWORD_RULES) {
    const match = pattern.exec(spec.task);
    if (match) return { type, reason: `${reason} ("${match[0]}")`, structural: false };
  }
  return { type: 'SequentialWorkflow', reason: 'no rule matched; sequential is the default', structural: false };
}

/** Types a model may pick for `auto` (never itself, the builder, or a flow-less AgentRearrange). */
export const MODEL_CLASSIFIABLE_TYPES: readonly SwarmType[] = [
  'SequentialWorkflow',
  'ConcurrentWorkflow',
  'MixtureOfAgents',
  'SpreadSheetSwarm',
  'GroupChat',
  'MultiAgentRouter',
  'HiearchicalSwarm',
  'MajorityVoting',
];
