import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers like the OpenAI and Anthropic APIs, from a per-path queue
 * of scripted replies, and records every request it receives (headers and JSON body).
 */

export interface SseEvent {
  /** Anthropic names its events; OpenAI sends bare `data:` lines. */
  event?: string;
  /** An object is JSON-encoded; a string is sent as is (e.g. "[DONE]"). */
  data: unknown;
}

export interface MockReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  sse?: SseEvent[];
  /** Wait this long before answering (the answer is dropped if the client went away). */
  delayMs?: number;
  /** Never answer; the request is held until the client disconnects. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface MockLlmServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  enqueue(path: string, ...replies: MockReply[]): void;
  /** Resolves when the next request arrives at a `hang` reply (tests abort the client then). */
  hanging(): Promise<void>;
  /** Resolves when the client side of a `hang` request has disconnected. */
  disconnected(): Promise<void>;
  close(): Promise<void>;
}

export async function startMockLlmServer(): Promise<MockLlmServer> {
  const queues = new Map<string, MockReply[]>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const hangArrived = new Signal();
  const hangClosed = new Signal();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const reply = queues.get(path)?.shift();
      if (!reply) {
        send(res, { status: 500, json: { error: { message: `mock: no scripted reply for ${path}` } } });
        return;
      }
      if (reply.hang) {
        res.on('close', () => hangClosed.fire());
        hangArrived.fire();
        return;
      }
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send(res, reply);
        }, reply.delayMs);
        timers.add(timer);
        return;
      }
      send(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue(path, ...replies) {
      queues.set(path, [...(queues.get(path) ?? []), ...replies]);
    },
    hanging: () => hangArrived.next(),
    disconnected: () => hangClosed.next(),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: MockReply): void {
  const headers = { ...reply.headers };
  if (reply.sse) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    for (const event of reply.sse) {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      res.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
    }
    res.end();
    return;
  }
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(reply.json ?? {}));
}

/** Counts occurrences; each `next()` waits for one occurrence not yet waited for. */
class Signal {
  private unclaimed = 0;
  private readonly waiters: (() => void)[] = [];

  fire(): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter();
    else this.unclaimed += 1;
  }

  next(): Promise<void> {
    if (this.unclaimed > 0) {
      this.unclaimed -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
