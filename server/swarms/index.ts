/**
 * The swarm engine's public entry. Faces (tRPC `swarms.*`, REST `/v1/*`) and the worker import
 * only this module.
 */
export { runSwarm, newJobId } from './run-swarm.js';
export { minimumModelCalls } from './minimum-calls.js';
export { parseSwarmSpec, checkSwarmSpec } from './validate-spec.js';
export { SwarmSpecError, SwarmRunError, type SwarmRunErrorCode } from './errors.js';
export { SwarmBudgetSchema, BudgetExceededError, describeOverrun, formatUsd, type SwarmBudget, type BudgetOverrun } from './run-budget.js';
export { parseFlow, chainFlow, type Flow } from './flow-parser.js';
export { chooseSwarmTypeByRules, MODEL_CLASSIFIABLE_TYPES, type RuleChoice } from './auto-rules.js';
export { DEFAULT_SWARM_TYPE } from './swarm-types.js';
export { SWARM_TYPE_CATALOG } from './swarm-type-catalog.js';
export { SPREADSHEET_CSV_HEADER } from './spreadsheet-swarm.js';
export { normalizeVote, tallyVotes, type Tally } from './vote-count.js';
export type {
  AgentCost,
  AgentFailure,
  AutoChoice,
  DirectorRound,
  GeneratedSwarm,
  RoutingDecision,
  RunSwarmOptions,
  SpreadsheetOutput,
  SpreadsheetResult,
  SwarmEvent,
  SwarmHistoryEntry,
  SwarmMessage,
  SwarmResult,
  SwarmUsage,
  VotingResult,
  VotingRound,
} from './types.js';
// The provider layer, re-exported so callers need one import to build a registry.
export type { SwarmSpec, SwarmSpecInput, SwarmType } from '../../shared/swarm-spec.js';
export {
  createProviderRegistry,
  createOfflineProvider,
  parseModelMap,
  EMBEDDED_DEFAULT_MODEL_MAP,
  LlmConfigError,
  LlmCallError,
  ModelMapSyntaxError,
  type ProviderRegistry,
  type ProviderRegistryConfig,
  type ModelMapRule,
} from '../llm/index.js';
