import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../../../shared/errors.js';
import { requireWriteAccess, verifyApiKey } from '../../auth/api-keys.js';
import type { RateLimiter } from '../../auth/rate-limiter.js';
import type { Core } from '../../core.js';
import { logStoreFailure, storeFailure } from '../../db/store-failure.js';
import { describeError } from '../../http/describe-error.js';
import { clientIp, pathOf, retryAfterSeconds, sendJson, type RouteHandler } from '../../http/route.js';
import { availableModels, availableSwarmTypes } from '../../swarm-api/catalog.js';
import { runAgentCompletion } from '../../swarm-api/run-agent-completion.js';
import { runSwarmForApi } from '../../swarm-api/run-swarm-for-api.js';
import { cancelSchedule, listSchedules, scheduleSwarm } from '../../swarm-api/schedules.js';
import { listSwarmRuns } from '../../swarm-api/swarm-logs.js';
import { BodyError, readJsonBody } from './read-json-body.js';

export interface SwarmsApiDeps {
  core: Core;
  limiters: { ip: RateLimiter; apiKey: RateLimiter };
  bodyLimitBytes: number;
}

interface Call {
  apiKeyId: string;
  body: () => Promise<unknown>;
  params: Record<string, string>;
}

type Handler = (call: Call) => Promise<unknown> | unknown;

const MAX_BATCH = 10;

/**
 * Swarms-API-compatible REST (DESIGN §6): `x-api-key`, errors as `{"detail": …}`. Each route
 * calls the same domain functions as the tRPC `swarms.*` procedures.
 */
export function swarmsApiRoutes(deps: SwarmsApiDeps): RouteHandler {
  const { core } = deps;
  const api = core.swarmApi;
  const table: { method: string; pattern: RegExp; handler: Handler }[] = [
    { method: 'POST', pattern: /^\/v1\/swarm\/completions$/, handler: async (c) => runSwarmForApi(core, api, c.apiKeyId, await c.body()) },
    {
      method: 'POST',
      pattern: /^\/v1\/swarm\/batch\/completions$/,
      handler: async (c) => {
        const body = await c.body();
        if (!Array.isArray(body)) throw new BodyError(422, 'body: expected an array of swarm specs');
        if (body.length > MAX_BATCH) throw new DomainError('INVALID_INPUT', `body: at most ${MAX_BATCH} swarms per batch, got ${body.length}`);
        return Promise.all(
          body.map(async (spec: { name?: string }) => {
            try {
              return { status: 'success', swarm_name: spec?.name ?? null, result: await runSwarmForApi(core, api, c.apiKeyId, spec) };
            } catch (error) {
              return { status: 'error', swarm_name: spec?.name ?? null, detail: describeError(error)?.message ?? (error as Error).message };
            }
          }),
        );
      },
    },
    { method: 'POST', pattern: /^\/v1\/agent\/completions$/, handler: async (c) => runAgentCompletion(core, api, c.apiKeyId, await c.body()) },
    { method: 'GET', pattern: /^\/v1\/swarms\/available$/, handler: () => ({ success: true, swarm_types: availableSwarmTypes() }) },
    { method: 'GET', pattern: /^\/v1\/models\/available$/, handler: () => ({ success: true, ...availableModels(api.providers) }) },
    {
      method: 'GET',
      pattern: /^\/v1\/swarm\/logs$/,
      handler: (c) => {
        const logs = listSwarmRuns(core, c.apiKeyId);
        return { status: 'success', count: logs.length, logs, timestamp: new Date().toISOString() };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/swarm\/schedule$/,
      handler: async (c) => {
        const job = scheduleSwarm(core, c.apiKeyId, await c.body());
        return { status: 'success', message: 'Swarm scheduled successfully', job_id: job.job_id, scheduled_time: job.scheduled_time, timezone: job.timezone };
      },
    },
    { method: 'GET', pattern: /^\/v1\/swarm\/schedule$/, handler: (c) => ({ status: 'success', scheduled_jobs: listSchedules(core, c.apiKeyId) }) },
    {
      method: 'DELETE',
      pattern: /^\/v1\/swarm\/schedule\/(?<jobId>[^/]+)$/,
      handler: (c) => {
        cancelSchedule(core, c.apiKeyId, decodeURIComponent(c.params.jobId!));
        return { status: 'success', message: 'Scheduled job cancelled successfully', job_id: c.params.jobId };
      },
    },
  ];

  return async (req, res) => {
    const path = pathOf(req);
    if (!path.startsWith('/v1/')) return false;
    const matches = table.filter((route) => route.pattern.test(path));
    if (matches.length === 0) return sendDetail(res, 404, `no endpoint ${path}`), true;
    const route = matches.find((r) => r.method === req.method);
    if (!route) return sendDetail(res, 405, `method ${req.method} not allowed on ${path}`), true;
    try {
      deps.limiters.ip.take(clientIp(req));
      const key = verifyApiKey(core, apiKeyOf(req));
      deps.limiters.apiKey.take(key.id);
      if (route.method !== 'GET') requireWriteAccess(key, `${route.method} ${path}`);
      const result = await route.handler({
        apiKeyId: key.id,
        body: () => readJsonBody(req, deps.bodyLimitBytes),
        params: route.pattern.exec(path)?.groups ?? {},
      });
      sendJson(res, 200, result);
    } catch (error) {
      sendError(res, error, core);
    }
    return true;
  };
}

function apiKeyOf(req: IncomingMessage): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
}

function sendDetail(res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { detail }, headers);
}

function sendError(res: ServerResponse, error: unknown, core: Core): void {
  if (error instanceof BodyError) return sendDetail(res, error.status, error.message);
  // 403 and "Invalid API Key" as the Swarms API answers, then why (unknown, revoked, expired when).
  if (error instanceof DomainError && error.reason === 'API_KEY_INVALID') return sendDetail(res, 403, `Invalid API Key: ${error.message}`);
  if (error instanceof DomainError && error.reason === 'INVALID_INPUT') return sendDetail(res, 400, error.message);
  const failure = storeFailure(error);
  if (failure) logStoreFailure(core.log, failure);
  const described = describeError(failure ?? error);
  if (described) {
    const headers: Record<string, string> = described.retryAfterMs ? { 'retry-after': retryAfterSeconds(described.retryAfterMs) } : {};
    return sendDetail(res, described.status, described.message, headers);
  }
  core.log.error({ err: error }, 'swarm API request failed');
  sendDetail(res, 500, `Failed to run swarm: ${error instanceof Error ? error.message : String(error)}`);
}
