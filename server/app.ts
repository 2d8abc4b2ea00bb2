import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { RateLimiter } from './auth/rate-limiter.js';
import { webhookEventPrefixes, type ServerConfig } from './config.js';
import type { Core } from './core.js';
import { healthRoutes, type Readiness } from './http/health-routes.js';
import { createMetrics } from './http/metrics.js';
import { clientIp, pathOf, retryAfterSeconds, sendJson, type RouteHandler } from './http/route.js';
import { attachTrpcWebSocket, trpcHttpRoute } from './http/trpc-adapters.js';
import { mountedRoutes } from './http/mounted-routes.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { openCore } from './open-core.js';
import { sweepQueue } from './queue/sweep-queue.js';
import { EventPruner } from './events/event-pruner.js';
import { logJobFailure } from './db/store-failure.js';
import { WebhookSender } from './webhooks/webhook-sender.js';
import { roundTick } from './rounds/round-tick.js';
import { fireDueSchedules } from './swarm-api/schedules.js';
import type { Limiters } from './trpc/context.js';

export interface Coordinator {
  url: string;
  port: number;
  core: Core;
  config: ServerConfig;
  /** The WebSocket server behind `/trpc` (tests use its `clients` to drop connections). */
  wss: WebSocketServer;
  close(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /** Extra HTTP routes (REST faces, IPFS gateway, dashboard), tried before the 404. */
  routes?: (core: Core) => RouteHandler[];
}

/**
 * Starts the coordinator on one port: tRPC over HTTP and WebSocket, health and metrics.
 * It listens first and reports `/readyz` 503 until the store is migrated and open.
 */
export async function startCoordinator(config: ServerConfig, options: StartOptions): Promise<Coordinator> {
  const log = options.log;
  // Before anything else: a second coordinator on this data dir must not even take a port.
  const dataDirLock = lockDataDir(config.dataDir);
  const readiness: Readiness = { ready: false, reason: 'migrating the store' };
  let core: (Core & { close(): void }) | null = null;
  let webSockets: WebSocketServer | null = null;
  const metrics = createMetrics(() => core, () => webSockets?.clients.size ?? 0);
  const limiters: Limiters = {
    ip: new RateLimiter({ perSecond: config.rateLimitIpPerSecond, burst: config.rateLimitIpBurst }, 'IP address'),
    stakingKey: new RateLimiter(
      { perSecond: config.rateLimitStakingKeyPerSecond, burst: config.rateLimitStakingKeyBurst },
      'staking key',
    ),
    apiKey: new RateLimiter({ perSecond: config.rateLimitApiKeyPerSecond, burst: config.rateLimitApiKeyBurst }, 'API key'),
  };
  const routes: RouteHandler[] = [healthRoutes(readiness, () => ({
      taskId: config.taskId,
      ready: readiness.ready,
      // Public, like the task id: a node runner checks payout lists against it.
      ...(core ? { coordinatorKey: core.coordinatorKey.publicKeyBase58 } : {}),
    })), metrics.route];

  const server: Server = createServer(async (req, res) => {
    try {
      for (const route of routes) if (await route(req, res)) return;
      if (!readiness.ready) return sendJson(res, 503, { error: 'starting', reason: readiness.reason });
      sendJson(res, 404, { error: 'not found', path: pathOf(req) });
    } catch (error) {
      log.error({ err: error, path: pathOf(req) }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    dataDirLock.release();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  let opened: Core & { close(): void };
  try {
    opened = openCore(config, log);
  } catch (error) {
    server.close();
    dataDirLock.release();
    throw error;
  }
  core = opened;
  const deps = {
    core: opened,
    limiters,
    limits: { maxSubscriberBufferBytes: config.maxSubscriberBufferBytes },
    bodyLimitBytes: config.bodyLimitBytes,
    metrics,
  };
  routes.push(trpcHttpRoute(deps), ...mountedRoutes(opened, limiters, config.bodyLimitBytes), ...(options.routes?.(opened) ?? []));

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  webSockets = wss;
  const wsHandler = attachTrpcWebSocket(wss, deps);
  server.on('upgrade', (req, socket, head) => {
    const path = pathOf(req);
    if (path !== '/trpc' && path !== '/trpc/') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const waitMs = limiters.ip.tryTake(clientIp(req));
    if (waitMs > 0) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfterSeconds(waitMs)}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  opened.bus.startPolling(config.eventPollMs);
  let firstScheduleTick = true;
  let firing = false;
  const fireSchedules = () => {
    if (firing) return;
    firing = true;
    const onStartup = firstScheduleTick;
    firstScheduleTick = false;
    fireDueSchedules(opened, opened.swarmApi, Date.now(), onStartup)
      .catch((error: unknown) => logJobFailure(log, error, 'scheduled swarm start'))
      .finally(() => {
        firing = false;
      });
  };
  let ticking = false;
  const eventPruner = new EventPruner(opened, config.eventRetentionDays, log);
  const sweeper = setInterval(() => {
    try {
      const report = sweepQueue(opened);
      if (report.expiredLeases > 0) log.info(report, 'returned expired leases to the queue');
    } catch (error) {
      logJobFailure(log, error, 'sweep');
    }
    eventPruner.tick();
    fireSchedules();
    if (ticking) return;
    ticking = true;
    roundTick(opened)
      .then((tick) => {
        for (const t of tick.tallied) log.info({ round: t.round, approved: t.approved.length, rejected: t.rejected.length }, 'round tallied');
      })
      .catch((error: unknown) => logJobFailure(log, error, 'round tick'))
      .finally(() => {
        ticking = false;
      });
  }, config.sweepIntervalMs);
  sweeper.unref();

  const webhook = config.webhookUrl
    ? new WebhookSender(
        opened,
        {
          url: config.webhookUrl,
          secret: config.webhookSecret,
          taskId: config.taskId,
          timeoutMs: config.webhookTimeoutMs,
          retryMs: config.webhookRetryMs,
          eventPrefixes: webhookEventPrefixes(config.webhookEvents),
        },
        log,
      )
    : undefined;
  webhook?.start();

  readiness.ready = true;
  readiness.reason = 'ready';
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  dataDirLock.setUrl(url);
  log.info({ url, dataDir: config.dataDir, taskId: config.taskId }, 'coordinator listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    core: opened,
    config,
    wss,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        eventPruner.stop();
        await webhook?.stop();
        wsHandler.broadcastReconnectNotification();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        opened.close();
        dataDirLock.release();
      })();
      return closing;
    },
  };
}
