import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createWorker, type Worker, type WorkerOptions } from '../../client/worker/worker.js';
import type { WorkerEvent } from '../../client/worker/events.js';
import type { Keypair } from '../../shared/keypair.js';
import { tempDir, type TestCoordinator } from '../helpers/coordinator.js';

export interface TestWorker {
  worker: Worker;
  keypair: Keypair;
  dataDir: string;
  events: WorkerEvent[];
  /** Events of one type, typed. */
  eventsOf<T extends WorkerEvent['type']>(type: T): Extract<WorkerEvent, { type: T }>[];
}

export interface TestWorkers extends AsyncDisposable {
  list: TestWorker[];
  add(options?: Partial<WorkerOptions> & { keypair?: Keypair; githubUsername?: string; dataDir?: string; start?: boolean }): Promise<TestWorker>;
}

/** Fast settings for tests: short polls and retries, quick reconnects, offline models only. */
export function testWorkerOptions(t: TestCoordinator): Omit<WorkerOptions, 'keypair'> {
  return {
    serverUrl: t.url,
    env: {},
    pollIntervalMs: 200,
    auditPollMs: 200,
    callTimeoutMs: 5000,
    retry: { baseMs: 50, capMs: 500 },
    reconnectDelayMs: () => 100,
    refusedReconnectDelayMs: () => 100,
  };
}

/** In-process workers (createWorker) against a test coordinator, each with its own data dir; stopped and removed on dispose. */
export function testWorkers(t: TestCoordinator): TestWorkers {
  const list: TestWorker[] = [];
  const dirs: { [Symbol.dispose](): void }[] = [];
  return {
    list,
    async add(options = {}) {
      const { keypair: given, githubUsername, dataDir: givenDir, start = true, ...rest } = options;
      const keypair = given ?? t.stakedWorker(githubUsername ? { githubUsername } : {});
      let dataDir = givenDir;
      if (!dataDir) {
        const dir = tempDir('swarmtask-worker-');
        dirs.push(dir);
        dataDir = dir.path;
      }
      const events: WorkerEvent[] = [];
      const onEvent = rest.onEvent;
      const worker = createWorker({
        ...testWorkerOptions(t),
        keypair,
        dataDir,
        ...(githubUsername ? { githubUsername } : {}),
        ...rest,
        onEvent: (event) => {
          events.push(event);
          onEvent?.(event);
        },
      });
      const handle: TestWorker = {
        worker,
        keypair,
        dataDir,
        events,
        eventsOf: <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type),
      };
      list.push(handle);
      if (start) await worker.start();
      return handle;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(list.map((w) => w.worker.stop({ graceMs: 0 })));
      for (const dir of dirs) dir[Symbol.dispose]();
    },
  };
}

export interface TcpProxy extends AsyncDisposable {
  url: string;
  /** Cuts every connection now and refuses new ones until restore(): the coordinator becomes unreachable. */
  cut(): void;
  restore(): void;
  readonly connections: number;
}

/** A TCP proxy in front of the coordinator, so a test can take the network away and give it back. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cut = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    restore() {
      down = false;
    },
    get connections() {
      return sockets.size / 2;
    },
    async [Symbol.asyncDispose]() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
