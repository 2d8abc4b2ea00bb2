import type { AgentSpec, SwarmSpec, SwarmType } from '../../shared/swarm-spec.js';
import { runAgentTurns, runStructuredCall, type AgentRunnerDeps, type StructuredSpec } from './agent-runner.js';
import { allConcurrently, settleConcurrently } from './concurrency.js';
import type { Transcript } from './transcript.js';
import type { AgentFailure, SwarmResult } from './types.js';

/** Type-specific fields a swarm adds to the result (besides output/usage/…). */
export type SwarmExtras = Partial<Pick<SwarmResult, 'auto' | 'spreadsheet' | 'voting' | 'routing' | 'hierarchy' | 'generated_spec'>>;

export interface SwarmOutcome {
  /** The answer reported as `final`. */
  final: string;
  extras?: SwarmExtras;
  /** Agents in the swarm that actually ran (AutoSwarmBuilder: the generated ones). */
  numberOfAgents?: number;
}

/** State shared by a run and any swarm it starts (auto, AutoSwarmBuilder). */
export interface RunState {
  readonly transcript: Transcript;
  readonly signal: AbortSignal;
  readonly maxConcurrency: number;
  readonly failures: AgentFailure[];
  readonly runnerDeps: Omit<AgentRunnerDeps, 'rules' | 'img'>;
  readonly dispatch: (ctx: SwarmContext, type: SwarmType) => Promise<SwarmOutcome>;
  /** The spec checks of `type` (throws SwarmSpecError), for specs made during a run. */
  readonly check: (spec: SwarmSpec, type: SwarmType) => void;
}

/** What a swarm type's `run` works with. Swarm files own control flow; this owns the plumbing. */
export interface SwarmContext {
  readonly spec: SwarmSpec;
  readonly agents: readonly AgentSpec[];
  readonly transcript: Transcript;
  readonly signal: AbortSignal;
  /** The agent's answer to `input` (all its turns); does not touch the transcript. */
  ask(agent: AgentSpec, input: string, signal?: AbortSignal): Promise<string>;
  askStructured<T>(agent: AgentSpec, input: string, spec: StructuredSpec<T>, purpose: string, signal?: AbortSignal): Promise<T>;
  /** Truly concurrent, results in input order; the first failure aborts the rest and is thrown. */
  all<T, R>(items: readonly T[], fn: (item: T, signal: AbortSignal, index: number) => Promise<R>): Promise<R[]>;
  /** Truly concurrent, results in input order; failures are returned, not thrown. */
  settle<T, R>(items: readonly T[], fn: (item: T, signal: AbortSignal, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]>;
  /** Records an agent whose failure the swarm tolerates (the run becomes `partial`). */
  recordFailure(agentName: string, loop: number, error: unknown): void;
  /** Runs another swarm type on `spec`, sharing this run's transcript, usage and signal. */
  runSwarmType(type: SwarmType, spec: SwarmSpec): Promise<SwarmOutcome>;
  checkSpec(spec: SwarmSpec, type: SwarmType): void;
  /** The provider a model name resolves to (`offline`, `openai`, …). */
  providerOf(modelName: string): string;
}

export function createSwarmContext(run: RunState, spec: SwarmSpec): SwarmContext {
  const deps: AgentRunnerDeps = { ...run.runnerDeps };
  if (spec.rules !== undefined) deps.rules = spec.rules;
  if (spec.img !== undefined) deps.img = spec.img;
  const ctx: SwarmContext = {
    spec,
    agents: spec.agents,
    transcript: run.transcript,
    signal: run.signal,
    ask: (agent, input, signal = run.signal) => runAgentTurns(deps, agent, input, signal),
    askStructured: (agent, input, structured, purpose, signal = run.signal) => runStructuredCall(deps, agent, input, structured, purpose, signal),
    all: (items, fn) => allConcurrently(items, run.maxConcurrency, run.signal, fn),
    async settle(items, fn) {
      const settled = await settleConcurrently(items, run.maxConcurrency, (item, index) => {
        if (run.signal.aborted) return Promise.reject(run.signal.reason);
        return fn(item, run.signal, index);
      });
      // Tolerating failures means tolerating agents, not a cancelled run.
      run.signal.throwIfAborted();
      return settled;
    },
    recordFailure(agentName, loop, error) {
      run.failures.push({ agent_name: agentName, loop, message: error instanceof Error ? error.message : String(error) });
    },
    runSwarmType: (type, subSpec) => run.dispatch(createSwarmContext(run, subSpec), type),
    checkSpec: (subSpec, type) => run.check(subSpec, type),
    providerOf: (modelName) => run.runnerDeps.registry.resolve(modelName).providerId,
  };
  return ctx;
}
