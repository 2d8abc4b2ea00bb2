import { randomBytes } from 'node:crypto';
import type { SwarmSpec, SwarmSpecInput } from '../../shared/swarm-spec.js';
import type { EventDraft } from './agent-runner.js';
import { createSwarmContext, type RunState, type SwarmOutcome } from './context.js';
import { SwarmRunError, SwarmSpecError } from './errors.js';
import { DEFAULT_SWARM_TYPE, SWARM_TYPE_MODULES } from './swarm-types.js';
import { Transcript } from './transcript.js';
import type { AgentFailure, RunSwarmOptions, SwarmEvent, SwarmResult } from './types.js';
import { UsageLedger } from './usage-ledger.js';
import { isUnlimited, RunBudget } from './run-budget.js';
import { checkSwarmSpec, parseSwarmSpec } from './validate-spec.js';

const DEFAULT_MAX_CONCURRENCY = 16;
const JOB_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `swarms-` + 28 alphanumerics, the Swarms API's job id format. */
export function newJobId(): string {
  const bytes = randomBytes(28);
  let id = '';
  // 256 % 62 bias is irrelevant for an identifier that only needs to be unique.
  for (const byte of bytes) id += JOB_ID_ALPHABET[byte % JOB_ID_ALPHABET.length];
  return `swarms-${id}`;
}

/**
 * Validates `input` (SwarmSpecError: 422 schema, 400 semantics — before any model call), runs
 * the swarm, and returns the Swarms-API-shaped result. Events go to `onEvent` as they happen.
 * A run that fails after starting throws SwarmRunError with `partial` holding everything
 * produced (and paid for) up to the failure.
 */
export async function runSwarm(input: SwarmSpecInput | SwarmSpec, options: RunSwarmOptions): Promise<SwarmResult> {
  const spec = parseSwarmSpec(input);
  const type = spec.swarm_type ?? DEFAULT_SWARM_TYPE;
  checkSwarmSpec(spec, type, options.providers);

  const jobId = options.jobId ?? newJobId();
  // The run's own controller: the caller's abort is forwarded to it, and a crossed budget stops
  // every call of the run through it (a forwarding listener, removed at the end: no AbortSignal.any,
  // which holds on to what it links on Node 20).
  const stopper = new AbortController();
  const signal = stopper.signal;
  const forwardAbort = () => stopper.abort(options.signal?.reason);
  if (options.signal?.aborted) forwardAbort();
  else options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const startedAt = performance.now();
  const emit = (draft: EventDraft) => {
    if (!options.onEvent) return;
    try {
      options.onEvent({ ...draft, job_id: jobId, timestamp: new Date().toISOString() } as SwarmEvent);
    } catch {
      // A listener's failure (a closed socket, a full queue) must not fail the run it observes.
    }
  };
  const transcript = new Transcript();
  transcript.add('User', spec.task);
  const ledger = new UsageLedger();
  const failures: AgentFailure[] = [];
  let callCounter = 0;
  const run: RunState = {
    transcript,
    signal,
    maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    failures,
    runnerDeps: {
      registry: options.providers,
      ledger,
      emit,
      callTimeoutMs: options.callTimeoutMs,
      streamTokens: options.streamTokens ?? Boolean(options.onEvent),
      nextCallId: () => ++callCounter,
      promptCache: new Map(),
      ...(isUnlimited(options.budget) ? {} : { budget: new RunBudget(options.budget!, (error) => stopper.abort(error)) }),
    },
    dispatch: (ctx, swarmType) => SWARM_TYPE_MODULES[swarmType].run(ctx),
    check: (subSpec, swarmType) => checkSwarmSpec(subSpec, swarmType, options.providers),
  };

  const assemble = (outcome: SwarmOutcome): SwarmResult => {
    const entries = transcript.entries();
    const result: SwarmResult = {
      job_id: jobId,
      status: failures.length > 0 ? 'partial' : 'success',
      swarm_name: spec.name ?? `${type} swarm`,
      description: spec.description ?? '',
      swarm_type: type,
      task: spec.task,
      output: entries.slice(1).map(({ role, content }) => ({ role, content })),
      number_of_agents: outcome.numberOfAgents ?? spec.agents.length,
      execution_time: Math.round(performance.now() - startedAt) / 1000,
      usage: ledger.summary(),
      final: outcome.final,
      providers: ledger.providers(),
      ...outcome.extras,
    };
    if (spec.return_history) result.history = entries.map((entry) => ({ ...entry }));
    if (failures.length > 0) result.errors = [...failures];
    return result;
  };

  emit({ type: 'swarm_start', swarm_name: spec.name ?? `${type} swarm`, swarm_type: type, number_of_agents: spec.agents.length });
  try {
    signal.throwIfAborted();
    const result = assemble(await run.dispatch(createSwarmContext(run, spec), type));
    emit({ type: 'swarm_end', status: result.status, execution_time: result.execution_time, usage: result.usage });
    return result;
  } catch (err) {
    const partial = assemble({ final: '' });
    const failure = err instanceof SwarmSpecError ? err : toRunError(err, signal);
    if (failure instanceof SwarmRunError) failure.partial = partial;
    emit({ type: 'error', message: failure.message });
    emit({
      type: 'swarm_end',
      status: failure instanceof SwarmRunError && failure.code === 'aborted' ? 'aborted' : 'failed',
      execution_time: partial.execution_time,
      usage: partial.usage,
    });
    throw failure;
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
  }
}

function toRunError(err: unknown, signal: AbortSignal): SwarmRunError {
  // Calls cut off because the budget ran out fail as "aborted"; the run failed for the budget.
  if (signal.aborted && signal.reason instanceof SwarmRunError && signal.reason.code === 'budget') return signal.reason;
  if (signal.aborted) {
    return err instanceof SwarmRunError && err.code === 'aborted' ? err : new SwarmRunError('swarm run was aborted', 'aborted', undefined, { cause: err });
  }
  if (err instanceof SwarmRunError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SwarmRunError(`swarm run failed: ${message}`, 'internal', undefined, { cause: err });
}

