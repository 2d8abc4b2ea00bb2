import type { Command } from 'commander';
import { TRPCClientError } from '@trpc/client';
import { readKeyFileOption } from './read-key-file.js';
import { createWorkerClient, type WorkerClient } from '../worker-client.js';
import type { GlobalOptions } from './context.js';
import { coordinatorUrl, unreachableCoordinator } from './coordinator-url.js';
import { discoverTaskId } from '../discover-task-id.js';
import { CliError } from './output.js';

export interface KeyFlags {
  key?: string;
}

/** Worker calls by hand: signed with the staking key file, over HTTP. */
export async function withWorker<T>(options: GlobalOptions, flags: KeyFlags, work: (client: WorkerClient) => Promise<T>): Promise<T> {
  const keypair = readKeyFileOption(flags.key, 'the staking keypair that signs the call');
  const url = coordinatorUrl(options.server);
  let client: WorkerClient | undefined;
  try {
    // Signed calls name the task; unless told, ask the coordinator which one it runs.
    const taskId = options.taskId ?? (process.env.SWARMTASK_TASK_ID || process.env.TASK_ID || (await discoverTaskId(url)));
    client = createWorkerClient({ url, keypair, taskId, transport: 'http' });
    return await work(client);
  } catch (error) {
    const unreachable = unreachableCoordinator(error, url);
    if (unreachable) throw unreachable;
    if (error instanceof TRPCClientError) throw new CliError(error.message);
    throw error;
  } finally {
    await client?.close();
  }
}

export const keyOption = (cmd: Command) => cmd.option('--key <file>', 'staking keypair file (env SWARMTASK_KEY_FILE)');
