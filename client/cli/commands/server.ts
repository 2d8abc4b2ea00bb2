import type { Command } from 'commander';
import type { Coordinator } from '../../../server/app.js';
import { startCoordinatorForCli } from '../start-coordinator.js';
import { globalOptions, serverConfigFrom } from '../context.js';
import { emit } from '../output.js';

interface ServerFlags {
  modelMap?: string;
  roundMs?: string;
  port?: string;
  host?: string;
  synchronous?: string;
  leaseMs?: string;
  minStake?: string;
}

function configFromFlags(command: Command, flags: ServerFlags) {
  return serverConfigFrom(globalOptions(command), {
    port: flags.port as unknown as number,
    host: flags.host,
    synchronous: flags.synchronous as 'NORMAL' | 'FULL' | undefined,
    leaseMs: flags.leaseMs as unknown as number,
    minStake: flags.minStake as unknown as number,
    modelMap: flags.modelMap,
    roundMs: flags.roundMs as unknown as number,
  });
}

/** `server --check`: the preflight, then exit (1 on a failed check). */
async function checkServer(command: Command, flags: ServerFlags): Promise<void> {
  const options = globalOptions(command);
  const config = configFromFlags(command, flags);
  const { createProviderRegistry } = await import('../../../server/llm/index.js');
  const { checkServerSetup, describeServerChecks } = await import('../server-check.js');
  const checks = await checkServerSetup(config, createProviderRegistry({ env: process.env, ...(config.modelMap !== undefined ? { modelMap: config.modelMap } : {}) }));
  const failed = checks.some((check) => check.status === 'fail');
  emit(options.json === true, { ok: !failed, checks }, () => describeServerChecks(checks));
  if (failed) process.exitCode = 1;
}

export async function runServer(command: Command, flags: ServerFlags, banner?: (c: Coordinator) => string): Promise<Coordinator> {
  const options = globalOptions(command);
  const config = configFromFlags(command, flags);
  const { createLogger } = await import('../../../server/logger.js');
  const log = createLogger({ level: config.logLevel, file: config.logFile, reopenFileOn: 'SIGHUP' });
  const coordinator = await startCoordinatorForCli(config, log);
  emit(
    options.json === true,
    { event: 'listening', url: coordinator.url, port: coordinator.port, dataDir: config.dataDir, taskId: config.taskId },
    () => banner?.(coordinator) ?? serverBanner(coordinator.url, config),
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    coordinator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return coordinator;
}

/** Where it listens, and the next commands a new operator needs (with this data dir and URL filled in). */
function serverBanner(url: string, config: { dataDir: string; taskId: string; minStake: number }): string {
  const data = config.dataDir === './data' ? '' : ` --data ${config.dataDir}`;
  return [
    `swarmtask coordinator listening on ${url} (data: ${config.dataDir}, task: ${config.taskId})`,
    `  dashboard  ${url}/  (it asks for an API key; one that can only look: swarmtask keys create --name dashboard --read-only${data})`,
    `  add work   swarmtask todo add spec.json${data}  (the original example: swarmtask todo example > spec.json)`,
    `  workers    swarmtask worker --server ${url} --key node.json  (after: swarmtask keygen --out node.json; swarmtask stake set <its key> ${config.minStake}${data})`,
    `  status     swarmtask status${data}   (live: swarmtask events --follow${data})`,
  ].join('\n');
}

export function registerServerCommands(program: Command): void {
  const withServerFlags = (cmd: Command) =>
    cmd
      .option('-p, --port <port>', 'port to listen on (env SWARMTASK_PORT, default 8787; 0 picks a free one)')
      .option('--host <host>', 'interface to bind (env SWARMTASK_HOST, default 127.0.0.1)')
      .option('--synchronous <level>', 'SQLite durability: NORMAL or FULL (env SWARMTASK_SYNCHRONOUS)')
      .option('--lease-ms <ms>', 'claim lease length (env SWARMTASK_LEASE_MS, default 60000)')
      .option('--min-stake <units>', 'minimum stake in base units (env SWARMTASK_MIN_STAKE)')
      .option('--model-map <map>', 'model routing, e.g. "*=offline" or "gpt-4o=ollama/llama3.1" (env SWARMTASK_MODEL_MAP)')
      .option('--round-ms <ms>', 'round length (env SWARMTASK_ROUND_MS, default 600000)');

  withServerFlags(program.command('server').description('run the coordinator'))
    .option('--check', 'check the setup (config, data dir, store and pending migrations, port, disk, signing key, models, webhook), start nothing, and exit (1 if something is wrong)')
    .action(async (flags: ServerFlags & { check?: boolean }, cmd: Command) => {
      if (flags.check) return checkServer(cmd, flags);
      await runServer(cmd, flags);
    });

}
