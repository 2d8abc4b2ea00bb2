import type { ServerResponse } from 'node:http';
import type { RateLimiter } from '../../auth/rate-limiter.js';
import type { Core } from '../../core.js';
import { logStoreFailure, storeFailure } from '../../db/store-failure.js';
import { clientIp, pathOf, retryAfterSeconds, sendJson, type RouteHandler } from '../../http/route.js';
import { addFailedInfo } from './add-failed-info.js';
import { addRoundNumber } from './add-round-number.js';
import { addTodoDraftPr, addTodoPr } from './add-todo-pr.js';
import { addTodoStatus } from './add-todo-status.js';
import { checkTodo } from './check-todo.js';
import { fetchTodo } from './fetch-todo.js';
import { BodyError, readJsonBody } from '../swarms-api/read-json-body.js';
import { failure, MESSAGES, type LegacyResponse } from './responses.js';

/**
 * The legacy Koii REST face (DESIGN §6): `POST /summarizer/worker/*` with the upstream middle
 * server's bodies, attached base58 signatures, action strings, status codes and response bodies
 * (reference koii-upstream.md §1.3), so an unmodified Koii worker works against this coordinator.
 * Each endpoint is a thin adapter: parse → verify → domain functions → upstream response.
 */
type Endpoint = (core: Core, body: unknown, now: number) => LegacyResponse;

const PREFIX = '/summarizer/worker/';

const ENDPOINTS: Record<string, { handle: Endpoint; internalError: LegacyResponse }> = {
  'fetch-todo': { handle: fetchTodo, internalError: failure(500, MESSAGES.fetchFailed) },
  'add-todo-status': { handle: addTodoStatus, internalError: failure(500, MESSAGES.internal) },
  'add-todo-pr': { handle: addTodoPr, internalError: failure(500, MESSAGES.internal) },
  'add-todo-draft-pr': { handle: addTodoDraftPr, internalError: failure(500, MESSAGES.internal) },
  'add-round-number': { handle: addRoundNumber, internalError: failure(500, MESSAGES.internal) },
  'check-todo': { handle: checkTodo, internalError: failure(500, MESSAGES.internal) },
  'add-failed-info': { handle: addFailedInfo, internalError: { status: 500, body: { error: MESSAGES.failedInfoError } } },
};

export interface LegacyRoutesDeps {
  core: Core;
  /** The server's per-IP token bucket (shared with the other faces). */
  limiters: { ip: RateLimiter };
  /** Bodies over this many bytes get 413. */
  bodyLimitBytes: number;
}

export function legacyRestRoutes(deps: LegacyRoutesDeps): RouteHandler {
  const { core } = deps;
  return async (req, res) => {
    const path = pathOf(req);
    if (!path.startsWith(PREFIX)) return false;
    // Express routes match with or without a trailing slash.
    const endpoint = ENDPOINTS[path.slice(PREFIX.length).replace(/\/$/, '')];
    if (!endpoint || req.method !== 'POST') return false;

    const waitMs = deps.limiters.ip.tryTake(clientIp(req));
    if (waitMs > 0) {
      send(res, { ...failure(429, MESSAGES.rateLimited), headers: { 'retry-after': retryAfterSeconds(waitMs) } });
      req.resume();
      return true;
    }
    let body: unknown;
    try {
      body = await readJsonBody(req, deps.bodyLimitBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      if (error.status === 413) {
        send(res, { ...failure(413, MESSAGES.tooLarge), headers: { connection: 'close' } });
        req.resume();
      } else {
        // Not JSON, or empty: upstream's body parser left `req.body` empty, so "Invalid request body".
        send(res, failure(401, MESSAGES.invalidBody));
      }
      return true;
    }

    let response: LegacyResponse;
    try {
      response = endpoint.handle(core, body, Date.now());
    } catch (error) {
      const storeDown = storeFailureResponse(core, error);
      if (!storeDown) core.log.error({ err: error, path }, 'legacy request failed');
      response = storeDown ?? endpoint.internalError;
    }
    send(res, response);
    return true;
  };
}

/** A store that cannot take writes: 503 in upstream's failure shape, with `Retry-After`. */
function storeFailureResponse(core: Core, error: unknown): LegacyResponse | null {
  const failed = storeFailure(error);
  if (!failed) return null;
  logStoreFailure(core.log, failed);
  return { ...failure(503, failed.message), headers: { 'retry-after': retryAfterSeconds(failed.details.retryAfterMs!) } };
}

function send(res: ServerResponse, response: LegacyResponse): void {
  sendJson(res, response.status, response.body, response.headers);
}
