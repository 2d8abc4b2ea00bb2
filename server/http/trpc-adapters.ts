import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { DomainError } from '../../shared/errors.js';
import { appRouter } from '../routers/_app.js';
import { logStoreFailure } from '../db/store-failure.js';
import { authenticateConnection } from '../trpc/connection-auth.js';
import type { Context, Limiters, ServerLimits } from '../trpc/context.js';
import type { Core } from '../core.js';
import type { Metrics } from './metrics.js';
import { clientIp, pathOf, retryAfterSeconds, type RouteHandler } from './route.js';

export interface TrpcAdapterDeps {
  core: Core;
  limiters: Limiters;
  limits: ServerLimits;
  bodyLimitBytes: number;
  metrics: Metrics;
}

function presentedApiKey(req: IncomingMessage): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim() || null;
  return null;
}

function onError(deps: TrpcAdapterDeps) {
  return ({ error, path }: { error: TRPCError; path: string | undefined }) => {
    deps.metrics.procedureErrors.inc({ path: path ?? '(unknown)', code: error.code });
    const storeDown = error.cause instanceof DomainError && error.cause.code === 'SERVICE_UNAVAILABLE' ? error.cause : null;
    if (storeDown) logStoreFailure(deps.core.log, storeDown);
    else if (error.code === 'INTERNAL_SERVER_ERROR') deps.core.log.error({ err: error.cause ?? error, path }, 'procedure failed');
  };
}

/** `/trpc/*` over HTTP (batching on); a 429 carries `Retry-After`. */
export function trpcHttpRoute(deps: TrpcAdapterDeps): RouteHandler {
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: deps.bodyLimitBytes,
    createContext: ({ req }): Context => ({
      core: deps.core,
      limiters: deps.limiters,
      limits: deps.limits,
      transport: 'http',
      ip: clientIp(req),
      presentedApiKey: presentedApiKey(req),
      connection: null,
      socket: null,
    }),
    onError: onError(deps),
    responseMeta({ errors }) {
      const limited = errors.find((e) => e.cause instanceof DomainError && e.cause.details.retryAfterMs);
      if (!limited) return {};
      const ms = (limited.cause as DomainError).details.retryAfterMs!;
      return { headers: { 'retry-after': retryAfterSeconds(ms) } };
    },
  });
  return (req, res) => {
    // basePath only slices characters, so the prefix is matched here.
    if (!pathOf(req).startsWith('/trpc/')) return false;
    handler(req, res);
    return true;
  };
}

/** tRPC over WebSocket on the same port; each connection authenticates once. */
export function attachTrpcWebSocket(wss: WebSocketServer, deps: TrpcAdapterDeps) {
  return applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    createContext: ({ req, res, info }): Context => {
      let connection;
      try {
        connection = authenticateConnection(deps.core, info.connectionParams);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new TRPCError({ code: 'UNAUTHORIZED', message, cause: error });
      }
      return {
        core: deps.core,
        limiters: deps.limiters,
        limits: deps.limits,
        transport: 'ws',
        ip: clientIp(req),
        presentedApiKey: null,
        connection,
        socket: res as WebSocket,
      };
    },
    onError: onError(deps),
  });
}
