import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink, type TRPCClient } from '@trpc/client';
import { WebSocket } from 'ws';
import type { AppRouter } from '../server/routers/_app.js';
import { jitteredBackoff } from './backoff.js';
import { wsUrlOf } from './worker-client.js';

export interface OperatorClientOptions {
  /** Coordinator base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  /** An API key (`swarmtask keys create`); a read-only key may query and subscribe, not change state. */
  apiKey: string;
  /** Reconnect delay of the subscription socket (default: jittered exponential backoff from 0.5 s to 30 s). */
  retryDelayMs?: (attempt: number) => number;
  onOpen?: () => void;
  onClose?: (cause?: { code?: number }) => void;
}

export interface OperatorClient {
  /** The typed tRPC client: `trpc.todos.create.mutate(…)`, `trpc.events.on.subscribe(…)`. */
  trpc: TRPCClient<AppRouter>;
  close(): Promise<void>;
}

/**
 * The typed client for operators and API users (an API key, not a staking key): queries and
 * mutations go as batched HTTP (one request per event-loop turn), subscriptions over one
 * WebSocket opened when the first one starts and closed after the last one ends. The socket
 * authenticates with the key in its connection params on every reconnect; reconnects back off
 * with jitter, and `events.on` / `todos.onAvailable` resume from the last event id they
 * delivered, so nothing is lost or repeated across a drop.
 */
export function createOperatorClient(options: OperatorClientOptions): OperatorClient {
  const wsClient = createWSClient({
    url: wsUrlOf(options.url),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { apiKey: options.apiKey },
    lazy: { enabled: true, closeMs: 1_000 },
    retryDelayMs: options.retryDelayMs ?? jitteredBackoff(),
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({ url: new URL('/trpc', options.url).toString(), headers: { 'x-api-key': options.apiKey } }),
      }),
    ],
  });
  return {
    trpc,
    async close() {
      await wsClient.close();
    },
  };
}
