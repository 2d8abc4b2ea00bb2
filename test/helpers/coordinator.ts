import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoordinator, type Coordinator } from '../../server/app.js';
import { loadServerConfig, type ServerConfigInput } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import { createApiKey } from '../../server/auth/api-keys.js';
import { setStake, registerWorker } from '../../server/auth/workers.js';
import { generateKeypair, type Keypair } from '../../shared/keypair.js';
import { createWorkerClient, type WorkerClient, type WorkerClientOptions } from '../../client/worker-client.js';

export function tempDir(prefix = 'swarmtask-test-'): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestCoordinator extends AsyncDisposable {
  coordinator: Coordinator;
  url: string;
  apiKey: string;
  dataDir: string;
  /** A registered worker keypair with enough stake. */
  /** Registers and stakes a worker key (a new one unless given). */
  stakedWorker(options?: { githubUsername?: string; keypair?: Keypair }): Keypair;
  workerClient(keypair: Keypair, options?: Partial<WorkerClientOptions>): WorkerClient;
}

/** A real coordinator on 127.0.0.1, an ephemeral port and a fresh SQLite file. */
export async function startTestCoordinator(overrides: Partial<ServerConfigInput> = {}): Promise<TestCoordinator> {
  const dir = tempDir();
  const config = loadServerConfig(
    {},
    {
      port: 0,
      dataDir: dir.path,
      taskId: 'test-task',
      sweepIntervalMs: 100,
      eventPollMs: 100,
      rateLimitIpPerSecond: 0,
      rateLimitStakingKeyPerSecond: 0,
      rateLimitApiKeyPerSecond: 0,
      ...overrides,
    },
  );
  const coordinator = await startCoordinator(config, { log: silentLogger() });
  const { key } = createApiKey(coordinator.core, 'test');
  const clients: WorkerClient[] = [];
  return {
    coordinator,
    url: coordinator.url,
    apiKey: key,
    dataDir: dir.path,
    stakedWorker(options = {}) {
      const keypair = options.keypair ?? generateKeypair();
      registerWorker(coordinator.core, { stakingKey: keypair.publicKeyBase58, githubUsername: options.githubUsername });
      setStake(coordinator.core, keypair.publicKeyBase58, coordinator.core.auth.minStake);
      return keypair;
    },
    workerClient(keypair, options = {}) {
      const client = createWorkerClient({ url: coordinator.url, keypair, taskId: config.taskId, ...options });
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((c) => c.close()));
      await coordinator.close();
      dir[Symbol.dispose]();
    },
  };
}
