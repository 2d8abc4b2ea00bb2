import { resolve } from 'node:path';
import type { GlobalOptions } from './context.js';
import { NoOutboxError } from '../worker/worker-db.js';
import { sayingErrorsOf } from './output.js';

/** A worker node's data dir, as `worker` and `outbox` read it: --data, else SWARMTASK_WORKER_DATA, else ./worker-data. */
export function workerDataDir(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(options.data ?? (env.SWARMTASK_WORKER_DATA || 'worker-data'));
}

/** Opens a record in a worker's data dir for reading; a data dir with none is said plainly (exit 1). */
export function openWorkerRecord<T>(open: () => T): T {
  return sayingErrorsOf(NoOutboxError, 1, open);
}
