import type { AgentSpecInput, SwarmType } from '../../shared/swarm-spec.js';
import type { ProviderRegistry } from '../llm/index.js';
import type { SwarmBudget } from './run-budget.js';

export interface SwarmMessage {
  role: string;
  content: string;
}

export interface SwarmHistoryEntry extends SwarmMessage {
  /** ISO-8601 time the message was added. */
  timestamp: string;
}

export interface AgentCost {
  model: string;
  provider: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_cost: number;
  output_cost: number;
  total_cost: number;
  /** False when a paid model is missing from the price table (its cost then reads 0). */
  priced: boolean;
}

export interface SwarmUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  billing_info: {
    /** Keyed by agent name (built-in roles under their own names, e.g. "Director"). */
    cost_breakdown: Record<string, AgentCost>;
    total_cost: number;
  };
}

export interface AgentFailure {
  agent_name: string;
  loop: number;
  message: string;
}

export interface AutoChoice {
  chosen_type: SwarmType;
  reason: string;
  decided_by: 'rules' | 'model';
  /** What the rule set alone picked (differs from chosen_type when a model refined it). */
  rule_choice: SwarmType;
}

export interface SpreadsheetOutput {
  agent_name: string;
  task: string;
  result: string;
  timestamp: string;
}

export interface SpreadsheetResult {
  run_id: string;
  name: string;
  description: string;
  agents: string[];
  start_time: string;
  end_time: string;
  tasks_completed: number;
  outputs: SpreadsheetOutput[];
  number_of_agents: number;
  /** Header `Run ID,Agent Name,Task,Result,Timestamp`, RFC 4180 quoting. */
  csv: string;
}

export interface VotingRound {
  round: number;
  votes: { agent_name: string; answer: string }[];
  tally: Record<string, number>;
  winner: string | null;
  tie: string[] | null;
}

export interface VotingResult extends VotingRound {
  rounds: VotingRound[];
  consensus: string;
}

export interface RoutingDecision {
  round: number;
  router: string;
  handoffs: { agent_name: string; reasoning: string; task?: string }[];
}

export interface DirectorRound {
  round: number;
  plan: string;
  orders: { agent_name: string; task: string }[];
  feedback: string;
}

export interface GeneratedSwarm {
  name: string;
  description: string;
  swarm_type: SwarmType;
  rearrange_flow?: string;
  rules?: string;
  agents: AgentSpecInput[];
}

/** What `runSwarm` returns: the Swarms API response shape plus our additions. */
export interface SwarmResult {
  job_id: string;
  /** `partial` when some independent agents failed but others answered (see `errors`). */
  status: 'success' | 'partial';
  swarm_name: string;
  description: string;
  /** The type requested (canonical spelling); see `auto.chosen_type` for `auto`. */
  swarm_type: SwarmType;
  task: string;
  /** Every message after the task, in order: agent answers and coordinator decisions. */
  output: SwarmMessage[];
  number_of_agents: number;
  /** Seconds. */
  execution_time: number;
  usage: SwarmUsage;
  /** The whole transcript including the task, with timestamps (when return_history is true). */
  history?: SwarmHistoryEntry[];
  /** The answer: last agent, aggregator, consensus, director summary, CSV, … per type. */
  final: string;
  /** Providers that answered (`["offline"]` for offline runs). */
  providers: string[];
  errors?: AgentFailure[];
  auto?: AutoChoice;
  spreadsheet?: SpreadsheetResult;
  voting?: VotingResult;
  routing?: RoutingDecision[];
  hierarchy?: DirectorRound[];
  generated_spec?: GeneratedSwarm;
}

interface EventBase {
  job_id: string;
  timestamp: string;
}

export type SwarmEvent =
  | (EventBase & { type: 'swarm_start'; swarm_name: string; swarm_type: SwarmType; number_of_agents: number })
  | (EventBase & {
      type: 'agent_start';
      /** Correlates this call's token/agent_end/error events (concurrent agents interleave). */
      call_id: number;
      agent_name: string;
      role: string;
      /** `answer`, `system_prompt`, `routing`, `planning`, `building`, `classifying`. */
      purpose: string;
      provider: string;
      model: string;
    })
  | (EventBase & { type: 'token'; call_id: number; agent_name: string; text: string })
  | (EventBase & {
      type: 'agent_end';
      call_id: number;
      agent_name: string;
      content: string;
      usage: { input_tokens: number; output_tokens: number };
      cost: number;
    })
  | (EventBase & {
      type: 'swarm_end';
      status: 'success' | 'partial' | 'failed' | 'aborted';
      execution_time: number;
      usage: SwarmUsage;
    })
  /** With agent_name: one model call failed (the run may still succeed); without: the run failed. */
  | (EventBase & { type: 'error'; message: string; call_id?: number; agent_name?: string });

export interface RunSwarmOptions {
  providers: ProviderRegistry;
  signal?: AbortSignal;
  /** Receives every event; exceptions it throws are ignored so a listener cannot break a run. */
  onEvent?: (event: SwarmEvent) => void;
  /** Defaults to a fresh `swarms-<28 alphanumerics>` id. */
  jobId?: string;
  /** Per model call; defaults to the registry's timeout. */
  callTimeoutMs?: number;
  /** Upper bound on model calls in flight at once within this run; default 16. */
  maxConcurrency?: number;
  /** Emit `token` events (streaming calls); default: true when onEvent is given. */
  streamTokens?: boolean;
  /** Limits on calls, tokens and dollars; crossing one ends the run with SwarmRunError code `budget`. */
  budget?: SwarmBudget;
}

