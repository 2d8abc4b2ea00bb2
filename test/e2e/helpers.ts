import { join } from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../../server/routers/_app.js';
import { createApiKey } from '../../server/auth/api-keys.js';
import { setStake } from '../../server/auth/workers.js';
import { loadServerConfig } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import { openCore } from '../../server/open-core.js';
import { generateKeypair, writeKeypairFile, type Keypair } from '../../shared/keypair.js';
import { startServerProcess, startWorkerProcess, type Proc } from '../helpers/processes.js';

export const TASK_ID = 'e2e';

/** Settings that make rounds, audits and leases short enough for a test. */
export const FAST = {
  SWARMTASK_TASK_ID: TASK_ID,
  SWARMTASK_ROUND_MS: '2500',
  SWARMTASK_AUDIT_TIMEOUT_MS: '8000',
  SWARMTASK_LEASE_MS: '4000',
  SWARMTASK_SWEEP_INTERVAL_MS: '100',
  SWARMTASK_EVENT_POLL_MS: '100',
  SWARMTASK_MODEL_MAP: '*=offline',
  SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
  SWARMTASK_RATE_LIMIT_STAKING_KEY_PER_SECOND: '0',
  SWARMTASK_RATE_LIMIT_API_KEY_PER_SECOND: '0',
};

/** Prepares a data dir as an operator would: an API key and staked worker keys on disk. */
export function prepareDataDir(dataDir: string, workers: number): { apiKey: string; keys: { file: string; keypair: Keypair }[] } {
  const core = openCore(loadServerConfig({}, { dataDir, taskId: TASK_ID }), silentLogger());
  try {
    const { key } = createApiKey(core, 'e2e');
    const keys = Array.from({ length: workers }, (_, i) => {
      const keypair = generateKeypair();
      const file = join(dataDir, `worker-${i + 1}.json`);
      writeKeypairFile(file, keypair);
      setStake(core, keypair.publicKeyBase58, core.auth.minStake);
      return { file, keypair };
    });
    return { apiKey: key, keys };
  } finally {
    core.close();
  }
}

export function adminClient(url: string, apiKey: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: { 'x-api-key': apiKey } })] });
}

export async function startServer(dataDir: string, port = 0, env: Record<string, string> = {}) {
  return startServerProcess(['--port', String(port), '--data', dataDir], { ...FAST, ...env });
}

export function startWorker(url: string, keyFile: string, dataDir: string, extra: string[] = [], env: Record<string, string> = {}): Proc {
  return startWorkerProcess(['--server', url, '--key', keyFile, '--data', dataDir, '--task-id', TASK_ID, '--poll-ms', '300', ...extra], { ...FAST, ...env });
}

export async function stopAll(procs: Proc[]): Promise<void> {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
}
