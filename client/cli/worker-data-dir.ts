import { resolve } from 'node:path';
import type { GlobalOptions } from './context.js';

/** A worker node's data dir, as `worker` and `outbox` read it: --data, else SWARMTASK_WORKER_DATA, else ./worker-data. */
export function workerDataDir(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(options.data ?? (env.SWARMTASK_WORKER_DATA || 'worker-data'));
}
