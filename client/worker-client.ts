import { createTRPCClient, createWSClient, getUntypedClient, httpBatchLink, wsLink, type TRPCClient } from '@trpc/client';
import { WebSocket, type RawData } from 'ws';
import { signEnvelope } from '../shared/envelope.js';
import type { Keypair } from '../shared/keypair.js';
import type { AppRouter } from '../server/routers/_app.js';
import { jitteredBackoff } from './backoff.js';
import { asRefusalData, refusalData } from './refusal-data.js';
import { ServerClock } from './server-clock.js';
import { settleOnResultLink } from './settle-on-result-link.js';
import type { SignedBody, SignedOutput, SignedPath } from './signed-calls.js';

/** Must match the server's WS_CONNECT_ACTION; kept here so the client never imports server code at run time. */
const WS_CONNECT_ACTION = 'ws.connect';

export interface WorkerClientOptions {
  /** Coordinator base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  keypair: Keypair;
  taskId: string;
  /** `ws` (default) multiplexes calls and subscriptions on one socket; `http` uses batched HTTP (no subscriptions). */
  transport?: 'ws' | 'http';
  /** The socket opened (the coordinator has not yet said whether it accepts the connection). */
  onOpen?: () => void;
  /** The coordinator accepted the connection: the first result it sent on it. */
  onAccepted?: () => void;
  /** `refusal` is the coordinator's reason when it refused the connection (stake, task id, signature). */
  onClose?: (cause?: { code?: number; refusal?: string }) => void;
  /** Reconnect delay after a lost connection (default: jittered exponential backoff from 0.5 s to 30 s). */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Reconnect delay after the coordinator refused the connection, by how many refusals in a row
   * before this one (0 for the first): default 1–2 s, doubling to at most 60 s, jittered. (tRPC restarts its attempt count whenever a socket
   * opens, and a refused socket does open, so without this a refused worker would retry at once
   * forever.)
   */
  refusedRetryDelayMs?: (refusals: number) => number;
  /**
   * The coordinator's time as learned from refusals of stale timestamps (default: a new one).
   * Clients of one worker share one, so a correction learned by one holds for all.
   */
  clock?: ServerClock;
}

export interface SignedCallOptions {
  signal?: AbortSignal;
}

export interface WorkerClient {
  /** The typed tRPC client, for procedures that need no signature (health, subscriptions). */
  trpc: TRPCClient<AppRouter>;
  /**
   * Signs `body` for `path` (action, task id, timestamp, nonce) and calls it. Refused for a stale
   * timestamp, it learns the coordinator's time from the refusal and signs the call once more.
   */
  call<Path extends SignedPath>(path: Path, body: SignedBody<Path>, options?: SignedCallOptions): Promise<SignedOutput<Path>>;
  todos: {
    claim(body: SignedBody<'todos.claim'>): Promise<SignedOutput<'todos.claim'>>;
    heartbeat(body: SignedBody<'todos.heartbeat'>): Promise<SignedOutput<'todos.heartbeat'>>;
    reportResults(body: SignedBody<'todos.reportResults'>): Promise<SignedOutput<'todos.reportResults'>>;
    reportFailures(body: SignedBody<'todos.reportFailures'>): Promise<SignedOutput<'todos.reportFailures'>>;
    release(body: SignedBody<'todos.release'>): Promise<SignedOutput<'todos.release'>>;
    decline(body: SignedBody<'todos.decline'>): Promise<SignedOutput<'todos.decline'>>;
  };
  workers: {
    register(body: SignedBody<'workers.register'>): Promise<SignedOutput<'workers.register'>>;
    me(): Promise<SignedOutput<'workers.me'>>;
  };
  stakingKey: string;
  /** The task id every call is signed for. */
  taskId: string;
  /** The coordinator's time as this client signs it. */
  clock: ServerClock;
  close(): Promise<void>;
}

export function wsUrlOf(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/trpc';
  return url.toString();
}

/**
 * The `ws` WebSocket, also reporting why a coordinator refused the connection, and when it first
 * answered with a result (so accepted it). tRPC's server answers a failed connectionParams check
 * with one message whose id is null, then closes; its client drops that message, so a worker
 * would only ever see "WebSocket closed".
 */
function refusalAwareWebSocket(onRefused: (message: string, data: unknown) => void, onResult: () => void) {
  return class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      const watch = (data: RawData, isBinary: boolean) => {
        if (isBinary) return;
        // tRPC sets binaryType "arraybuffer"; a Buffer view of it copies nothing.
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        // A look at the head of each frame; only the rare id-null ones are parsed. A result (not
        // an error: a refused socket answers the calls already sent with errors, then refuses)
        // shows the coordinator accepted the connection, which then cannot refuse it: from there
        // on the frames are tRPC's alone (a busy worker gets thousands a second).
        if (bytes.length > 16_384 || bytes.toString('latin1', 0, 10) !== '{"id":null') {
          if (bytes.subarray(0, 48).includes('"result":')) {
            this.off('message', watch);
            onResult();
          }
          return;
        }
        try {
          const error = (JSON.parse(bytes.toString()) as { error?: { message?: unknown; data?: unknown } }).error;
          if (typeof error?.message === 'string') onRefused(error.message, error.data);
        } catch {
          // Not tRPC's refusal; tRPC itself reports unparsable frames.
        }
      };
      this.on('message', watch);
    }
  };
}

/**
 * The typed worker client: every worker call is signed with the staking key, the WebSocket
 * authenticates with a freshly signed `ws.connect` on every (re)connect, reconnects back off
 * with jitter, and subscriptions resume from their last event id.
 */
export function createWorkerClient(options: WorkerClientOptions): WorkerClient {
  const { keypair, taskId } = options;
  const transport = options.transport ?? 'ws';
  const clock = options.clock ?? new ServerClock();
  const sign = (action: string, body: object) => signEnvelope(body, { action, taskId, timestamp: clock.now() }, keypair);
  let refusal: string | undefined;
  /** The clock offset the current connection was signed with; a refusal that corrects it is cured, not repeated. */
  let connectOffset = clock.offsetMs;
  /** Connections refused for a stale timestamp whose correction was learned: their calls never ran. */
  let clockRefusals = 0;
  let accepted = false;
  let refusalsInARow = 0;
  const lostDelay = options.retryDelayMs ?? jitteredBackoff();
  const jittered = jitteredBackoff({ baseMs: 2_000, capMs: 60_000 });
  const refusedDelay = options.refusedRetryDelayMs ?? ((refusals: number) => Math.max(1_000, jittered(refusals)));
  const wsClient =
    transport === 'ws'
      ? createWSClient({
          url: wsUrlOf(options.url),
          WebSocket: refusalAwareWebSocket(
            (message, data) => {
              refusal = message;
              const before = clock.offsetMs;
              clock.learnFrom(asRefusalData(data));
              if (clock.offsetMs !== before) clockRefusals += 1;
            },
            () => {
              if (accepted) return;
              accepted = true;
              refusalsInARow = 0;
              options.onAccepted?.();
            },
          ) as unknown as typeof globalThis.WebSocket,
          connectionParams: () => {
            // tRPC only carries string values here, so the signed payload goes as JSON text.
            connectOffset = clock.offsetMs;
            const envelope = sign(WS_CONNECT_ACTION, {});
            return { payload: JSON.stringify(envelope.payload), stakingKey: envelope.stakingKey, signature: envelope.signature };
          },
          retryDelayMs: (attempt) => (refusalsInARow > 0 ? refusedDelay(refusalsInARow - 1) : lostDelay(attempt)),
          keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
          onOpen: () => {
            refusal = undefined;
            accepted = false;
            options.onOpen?.();
          },
          onClose: (cause?: { code?: number }) => {
            // A refusal whose clock correction is now learned is cured: the next connect signs the right time.
            if (refusal !== undefined && clock.offsetMs === connectOffset) refusalsInARow += 1;
            // ws's CloseEvent keeps `code` behind a getter, so it is copied by name.
            options.onClose?.(refusal === undefined ? cause : { ...(cause?.code !== undefined ? { code: cause.code } : {}), refusal });
          },
        })
      : null;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      settleOnResultLink<AppRouter>(),
      wsClient ? wsLink({ client: wsClient }) : httpBatchLink({ url: new URL('/trpc', options.url).toString(), maxItems: 50 }),
    ],
  });
  const untyped = getUntypedClient(trpc);

  const send = <Path extends SignedPath>(path: Path, body: SignedBody<Path>, callOptions?: SignedCallOptions) =>
    untyped.mutation(path, sign(path, body as object), callOptions) as Promise<SignedOutput<Path>>;

  const call = async <Path extends SignedPath>(path: Path, body: SignedBody<Path>, callOptions?: SignedCallOptions): Promise<SignedOutput<Path>> => {
    const signedWith = clock.offsetMs;
    const refusalsBefore = clockRefusals;
    try {
      return await send(path, body, callOptions);
    } catch (error) {
      const refusal = refusalData(error);
      if (refusal?.reason === 'TIMESTAMP_OUT_OF_WINDOW') {
        // Refused before it changed anything (the timestamp is checked before the nonce).
        clock.learnFrom(refusal);
      } else if (refusal !== undefined || clockRefusals === refusalsBefore) {
        // Refused for another reason, or lost with a connection that had been accepted (it may have run).
        throw error;
      }
      // Otherwise it failed with a connection refused for its timestamp, on which no call runs.
      // Either way it is sent again, once, if the clock has been corrected since it was signed.
      if (clock.offsetMs === signedWith) throw error;
      return send(path, body, callOptions);
    }
  };

  return {
    trpc,
    call,
    todos: {
      claim: (body) => call('todos.claim', body),
      heartbeat: (body) => call('todos.heartbeat', body),
      reportResults: (body) => call('todos.reportResults', body),
      reportFailures: (body) => call('todos.reportFailures', body),
      release: (body) => call('todos.release', body),
      decline: (body) => call('todos.decline', body),
    },
    workers: {
      register: (body) => call('workers.register', body),
      me: () => call('workers.me', {}),
    },
    stakingKey: keypair.publicKeyBase58,
    taskId,
    clock,
    async close() {
      await wsClient?.close();
    },
  };
}
