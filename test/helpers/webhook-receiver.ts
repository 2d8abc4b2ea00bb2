import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  parsed: { taskId: string; events: { id: number; type: string; todoId: number | null; data: unknown; createdAt: number }[] };
  /** Whether the receiver answered it 2xx (false while it hangs or after a non-2xx answer). */
  ok: boolean;
}

/** How the receiver answers one request: a status (and body), or never (the sender's timeout). */
export type Answer = { status: number; body?: string } | 'hang';

export interface WebhookReceiver extends AsyncDisposable {
  url: string;
  /** Every request, answered or not, in arrival order. */
  requests: ReceivedDelivery[];
  /** Events of the requests answered 2xx, in order. */
  delivered(): ReceivedDelivery['parsed']['events'];
  /** How to answer every request after the scripted ones, from now on (at first: 200). */
  answerWith(answer: Answer): void;
}

/** A real HTTP server on 127.0.0.1 that records webhook POSTs; `answers` says how to answer the first few (then 200, or what answerWith says). */
export async function startWebhookReceiver(answers: Answer[] = [], port = 0): Promise<WebhookReceiver> {
  const requests: ReceivedDelivery[] = [];
  const hanging: ServerResponse[] = [];
  let after: Answer = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedDelivery = { headers: req.headers, body, parsed: JSON.parse(body) as ReceivedDelivery['parsed'], ok: false };
      const answer = answers[requests.push(received) - 1] ?? after;
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      received.ok = answer.status >= 200 && answer.status < 300;
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/hooks/swarmtask`,
    requests,
    delivered: () => requests.filter((r) => r.ok).flatMap((r) => r.parsed.events),
    answerWith: (answer) => {
      after = answer;
    },
    async [Symbol.asyncDispose]() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
