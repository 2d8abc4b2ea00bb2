import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WorkerHealth {
  connected: boolean;
  leasesHeld: number;
  pendingSubmissions: number;
  lastError: { message: string; stage: string; at: string } | null;
  /** Set while the key's stake is below the coordinator's minimum: the worker waits for it. */
  awaitingStake: { stake: number; minStake: number } | null;
  /** Why the coordinator refuses this worker's connection, while it does (e.g. its stake was withdrawn). */
  refusal: string | null;
  /** Since when the coordinator's operator has paused claims (the worker idles meanwhile); null otherwise. */
  claimsPausedSince: number | null;
  /** Until when the node takes no new work because it reached its spending limit per day; null otherwise. */
  spendPausedUntil: number | null;
  /** Until when the coordinator asked the node to hold claims (Retry-After of a refused claim: its store could not take writes, or a rate limit); null otherwise. */
  claimsHeldUntil: number | null;
}

export interface StatusServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /health` → the worker's health as JSON; `GET /metrics` → Prometheus text (when given);
 * anything else is 404. Binds to 127.0.0.1 unless told otherwise.
 */
export async function startStatusServer(
  port: number,
  health: () => WorkerHealth,
  host = '127.0.0.1',
  metrics?: { contentType: string; text(): Promise<string> },
): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (metrics && req.method === 'GET' && path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/health' || path === '/health/')) {
      let body: string;
      try {
        body = JSON.stringify(health());
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', path }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
