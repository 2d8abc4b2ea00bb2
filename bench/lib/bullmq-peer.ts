import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { ensureDebianCommand } from '../../bin/debian-package.mjs';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Finds redis-server, installing Debian's package when it is missing (the bench machine is bare). */
export function ensureRedisServer(): string | null {
  return ensureDebianCommand('redis-server', 'redis-server', 'the BullMQ peer run') || null;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The peer's client libraries are not project dependencies (the bench is their only user): they
 * are installed here on first use, without touching package.json or the lock file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function importPeer(name: 'bullmq' | 'ioredis'): Promise<any> {
  // Checked on disk before any import: once a bare import of a missing package has failed, Node's
  // loaders keep failing it in this process even after the package is installed.
  const installed = (pkg: string) => existsSync(`${ROOT}node_modules/${pkg}/package.json`);
  if (!installed('bullmq') || !installed('ioredis')) {
    console.error('installing bullmq and ioredis for the peer run (npm install --no-save)…');
    spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'bullmq@^6', 'ioredis@^6'], { cwd: ROOT, stdio: 'inherit' });
  }
  const specifier: string = name;
  return import(specifier);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RedisInstance {
  port: number;
  stop(): Promise<void>;
}

/**
 * How the peer's Redis keeps its data. `rdb` is Redis's default (snapshots only: a crash loses
 * everything since the last one). `aof` appends every write and syncs it once a second, so a crashed
 * process loses nothing and a crashed OS at most a second: the durability class of SQLite's WAL
 * with synchronous=NORMAL, which the coordinator runs with.
 */
export type RedisPersistence = 'rdb' | 'aof';

const PERSISTENCE_ARGS: Record<RedisPersistence, string[]> = {
  rdb: ['--appendonly', 'no'],
  aof: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
};

/** A throwaway Redis on loopback with default persistence (as the reference baseline measured), or AOF. */
export async function startRedis(redisServer: string, persistence: RedisPersistence = 'rdb'): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...PERSISTENCE_ARGS[persistence]], {
    stdio: 'ignore',
  });
  const { Redis: IORedis } = await importPeer('ioredis');
  for (let i = 0; i < 100; i++) {
    const probe = new IORedis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** BullMQ no-op jobs: enqueue N with addBulk, then one Worker at `concurrency` processes them. */
export async function runBullmq(port: number, jobs: number, concurrency: number): Promise<{ jobsPerSecond: number }> {
  const { Queue, Worker } = await importPeer('bullmq');
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = `bench-${concurrency}-${Date.now()}`;
  const queue = new Queue(name, { connection });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
  }
  let done = 0;
  let start = 0;
  const finished = new Promise<number>((resolve) => {
    const worker = new Worker(
      name,
      async () => {
        if (start === 0) start = performance.now();
      },
      { connection, concurrency, autorun: false },
    );
    worker.on('completed', () => {
      done += 1;
      if (done === jobs) {
        const elapsed = performance.now() - start;
        void worker.close().then(() => resolve(elapsed));
      }
    });
    void worker.run();
  });
  const elapsedMs = await finished;
  await queue.obliterate({ force: true });
  await queue.close();
  return { jobsPerSecond: jobs / (elapsedMs / 1000) };
}
