import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { databaseFile, loadServerConfig, ConfigError, type ServerConfig, type ServerConfigInput } from '../../server/config.js';
import type { AdminApi } from './admin-api.js';
import { checkedServerUrl, unreachableCoordinator } from './coordinator-url.js';
import { CliError, sayingErrorsOf } from './output.js';

export interface GlobalOptions {
  json?: boolean;
  data?: string;
  server?: string;
  apiKey?: string;
  taskId?: string;
  logLevel?: string;
  logFile?: string;
}

/** Options of the root program merged with the command's own (commander keeps them apart). */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** The coordinator settings the global flags give (`--data`, `--task-id`, `--log-level`, `--log-file`). */
export function serverConfigOverrides(options: GlobalOptions): Partial<ServerConfigInput> {
  const given = {
    dataDir: options.data,
    taskId: options.taskId,
    logLevel: options.logLevel as ServerConfigInput['logLevel'],
    logFile: options.logFile,
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** Runs `read`, turning a configuration error into exit code 2 with its message. */
export function withConfigErrors<T>(read: () => T): T {
  return sayingErrorsOf(ConfigError, 2, read);
}

export function serverConfigFrom(options: GlobalOptions, extra: Partial<ServerConfigInput> = {}): ServerConfig {
  return withConfigErrors(() => loadServerConfig(process.env, { ...serverConfigOverrides(options), ...extra }));
}

/**
 * The running coordinator admin commands act on, if one is named (`--server`, else
 * SWARMTASK_SERVER_URL); else they use the data dir. A `--data` flag beats the environment's URL.
 */
function adminServerUrl(options: GlobalOptions): string | undefined {
  if (options.server !== undefined && options.data !== undefined) {
    throw new CliError('pass either --server (a running coordinator) or --data (a data dir), not both', 2);
  }
  if (options.data !== undefined) return undefined;
  const url = options.server ?? (process.env.SWARMTASK_SERVER_URL || undefined);
  return url === undefined ? undefined : checkedServerUrl(url);
}

/** Where admin commands act: a running coordinator's URL, or a data dir. */
export function adminTarget(options: GlobalOptions): { serverUrl: string } | { dataDir: string } {
  const serverUrl = adminServerUrl(options);
  return serverUrl ? { serverUrl } : { dataDir: serverConfigFrom(options).dataDir };
}

export interface AdminUse {
  /**
   * The command may create the data dir and its store (adding work, keys or stakes before the
   * first start). Commands that only read or change existing rows refuse a missing store, so a
   * mistyped --data says so instead of showing an empty, freshly made one.
   */
  mayCreateStore?: boolean;
}

export async function adminApi(options: GlobalOptions, use: AdminUse = {}): Promise<AdminApi> {
  const { directAdminApi, remoteAdminApi } = await import('./admin-api.js');
  const serverUrl = adminServerUrl(options);
  if (serverUrl) {
    const apiKey = options.apiKey ?? process.env.SWARMTASK_API_KEY;
    if (!apiKey) throw new CliError('--server needs an API key: pass --api-key or set SWARMTASK_API_KEY', 2);
    return remoteAdminApi(serverUrl, apiKey);
  }
  const config = serverConfigFrom(options);
  if (!use.mayCreateStore && !existsSync(databaseFile(config))) {
    throw new CliError(`no swarmtask store in ${config.dataDir} (${databaseFile(config)} does not exist): check --data / SWARMTASK_DATA_DIR`, 2);
  }
  const { createLogger } = await import('../../server/logger.js');
  return directAdminApi(config, createLogger({ level: 'warn', pretty: false }));
}

export async function withAdmin<T>(options: GlobalOptions, work: (api: AdminApi) => Promise<T>, use: AdminUse = {}): Promise<T> {
  const api = await adminApi(options, use);
  try {
    return await work(api);
  } catch (error) {
    const serverUrl = adminServerUrl(options);
    throw (serverUrl && unreachableCoordinator(error, serverUrl)) || error;
  } finally {
    api.close();
  }
}
