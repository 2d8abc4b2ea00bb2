import type { SwarmSpecInput } from '../../shared/swarm-spec.js';
import { cachedStatement } from '../db/statements.js';
import { immediate } from '../db/transaction.js';
import { appendEvent } from '../events/append-event.js';
import type { Core } from '../core.js';
import { newJobId, parseSwarmSpec, runSwarm, type SwarmEvent, type SwarmResult } from '../swarms/index.js';
import { ResponseCache } from './response-cache.js';
import type { SwarmApi } from './swarm-api-config.js';

export interface ApiRunOptions {
  onEvent?: (event: SwarmEvent) => void;
  signal?: AbortSignal;
  scheduleId?: string;
  now?: () => number;
}

export type ApiSwarmResult = SwarmResult & { cached?: boolean };

/**
 * One swarm run through the API (tRPC `swarms.run`, REST `/v1/swarm/completions`, schedules):
 * validate, answer from the per-key cache when the same canonical spec ran within the TTL,
 * otherwise run on the providers under a deadline and log the run with its usage and cost.
 */
export async function runSwarmForApi(core: Core, api: SwarmApi, apiKeyId: string, input: unknown, options: ApiRunOptions = {}): Promise<ApiSwarmResult> {
  const now = options.now ?? Date.now;
  const spec = parseSwarmSpec(input);
  const { schedule: _schedule, ...cacheable } = spec;
  const cacheKey = ResponseCache.keyOf(apiKeyId, 'swarm', cacheable);
  const hit = api.cache.get(cacheKey, now()) as SwarmResult | undefined;
  const jobId = newJobId();
  const startedAt = now();
  if (hit) {
    logRun(core, { id: jobId, apiKeyId, kind: 'swarm', spec, status: 'success', result: hit, cached: true, startedAt, finishedAt: startedAt, scheduleId: options.scheduleId });
    return { ...hit, cached: true };
  }
  logRun(core, { id: jobId, apiKeyId, kind: 'swarm', spec, status: 'running', startedAt, scheduleId: options.scheduleId });
  const deadline = AbortSignal.timeout(api.runTimeoutMs);
  const signal = options.signal ? anySignal(options.signal, deadline) : deadline;
  try {
    const result = await runSwarm(spec, {
      providers: api.providers,
      signal,
      jobId,
      ...(api.budget ? { budget: api.budget } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    finishRun(core, jobId, { status: 'success', result, finishedAt: now() });
    api.cache.set(cacheKey, result, now());
    return result;
  } catch (error) {
    finishRun(core, jobId, { status: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: now() });
    throw error;
  }
}

/** Both signals abort it; listeners are removed when the run ends (no AbortSignal.any: it leaks on Node 20). */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = (source: AbortSignal) => () => controller.abort(source.reason);
  if (a.aborted) controller.abort(a.reason);
  else if (b.aborted) controller.abort(b.reason);
  else {
    const onA = abort(a);
    const onB = abort(b);
    a.addEventListener('abort', onA, { once: true });
    b.addEventListener('abort', onB, { once: true });
    controller.signal.addEventListener('abort', () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    });
  }
  return controller.signal;
}

interface RunLog {
  id: string;
  apiKeyId: string;
  kind: 'swarm' | 'agent';
  spec: { name?: string | undefined; swarm_type?: string | undefined };
  status: 'running' | 'success' | 'failed';
  result?: SwarmResult | unknown;
  cached?: boolean;
  startedAt: number;
  finishedAt?: number;
  scheduleId?: string | undefined;
}

export function logRun(core: Core, run: RunLog): void {
  const usage = (run.result as SwarmResult | undefined)?.usage;
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      `INSERT INTO swarm_runs (id, api_key_id, kind, swarm_name, swarm_type, status, request, result, input_tokens, output_tokens,
         cost_micro_usd, execution_ms, cached, schedule_id, created_at, finished_at)
       VALUES (@id, @apiKeyId, @kind, @name, @type, @status, @request, @result, @input, @output, @cost, @ms, @cached, @scheduleId, @startedAt, @finishedAt)`,
    ).run({
      id: run.id,
      apiKeyId: run.apiKeyId,
      kind: run.kind,
      name: run.spec.name ?? null,
      type: run.spec.swarm_type ?? null,
      status: run.status,
      request: JSON.stringify(run.spec),
      result: run.result === undefined ? null : JSON.stringify(run.result),
      input: usage?.input_tokens ?? 0,
      output: usage?.output_tokens ?? 0,
      cost: Math.round((usage?.billing_info.total_cost ?? 0) * 1e6),
      ms: run.finishedAt === undefined ? null : run.finishedAt - run.startedAt,
      cached: run.cached ? 1 : 0,
      scheduleId: run.scheduleId ?? null,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt ?? null,
    });
    appendEvent(core.sqlite, { type: `swarm_run.${run.status === 'running' ? 'started' : run.status}`, data: { jobId: run.id, cached: run.cached ?? false } }, run.startedAt);
  });
  core.bus.notify();
}

export function finishRun(core: Core, id: string, outcome: { status: 'success' | 'failed'; result?: unknown; error?: string; finishedAt: number }): void {
  const usage = (outcome.result as SwarmResult | undefined)?.usage;
  immediate(core.db, () => {
    cachedStatement(
      core.sqlite,
      `UPDATE swarm_runs SET status = @status, result = @result, error = @error, input_tokens = @input, output_tokens = @output,
         cost_micro_usd = @cost, execution_ms = @finishedAt - created_at, finished_at = @finishedAt WHERE id = @id`,
    ).run({
      id,
      status: outcome.status,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      error: outcome.error ?? null,
      input: usage?.input_tokens ?? 0,
      output: usage?.output_tokens ?? 0,
      cost: Math.round((usage?.billing_info.total_cost ?? 0) * 1e6),
      finishedAt: outcome.finishedAt,
    });
    appendEvent(core.sqlite, { type: `swarm_run.${outcome.status}`, data: { jobId: id, error: outcome.error ?? null } }, outcome.finishedAt);
  });
  core.bus.notify();
}

export type { SwarmSpecInput };
