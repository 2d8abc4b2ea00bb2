import type { Logger } from 'pino';
import type { Coordinator } from '../../server/app.js';
import type { ServerConfig } from '../../server/config.js';
import { CliError } from './output.js';

/** Starts the coordinator for `server` and `up`, turning a port or data dir that cannot be had into advice. */
export async function startCoordinatorForCli(config: ServerConfig, log: Logger): Promise<Coordinator> {
  // Loaded on demand: the server pulls in every domain, and other commands should start fast.
  const { startCoordinator } = await import('../../server/app.js');
  try {
    return await startCoordinator(config, { log });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'DATA_DIR_IN_USE') throw new CliError((error as Error).message);
    const where = `${config.host}:${config.port}`;
    if (code === 'EADDRINUSE') {
      throw new CliError(`${where} is already in use (another swarmtask server or up?): stop it, or pick another port with --port / SWARMTASK_PORT (0 picks a free one)`);
    }
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${where}: use a port above 1023 with --port / SWARMTASK_PORT`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${where}: ${config.host} is not an address of this machine (--host / SWARMTASK_HOST)`);
    throw error;
  }
}
