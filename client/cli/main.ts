import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerKeygenCommand } from './commands/keygen.js';
import { registerLeaseCommands } from './commands/lease.js';
import { registerServerCommands } from './commands/server.js';
import { registerRoundAndSwarmCommands } from './commands/round-and-swarm.js';
import { registerUpCommand } from './commands/up.js';
import { registerIpfsCommands } from './commands/ipfs.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerOutboxCommand } from './commands/outbox.js';
import { registerSpendCommand } from './commands/spend.js';
import { registerStatusCommand } from './commands/status.js';
import { registerEventsCommand } from './commands/events.js';
import { registerPauseCommands } from './commands/pause.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerEarningsCommand } from './commands/earnings.js';
import { registerConfigCommand } from './commands/config.js';
import { registerWebhookCommands } from './commands/webhook.js';
import { describeUnknownVariables, unknownVariables } from './environment.js';
import { CliError } from './output.js';
import { cliVersion } from './cli-version.js';

const program = new Command('swarmtask')
  .description('Coordinate AI multi-agent swarm jobs across independent worker nodes')
  .version(cliVersion(), '-V, --version', 'print the version (and the node it runs on)')
  .option('--json', 'machine-readable output (one JSON value on stdout)')
  .option('--data <dir>', 'data directory (env SWARMTASK_DATA_DIR, default ./data)')
  .option('--server <url>', 'act on a running coordinator instead of the data dir (env SWARMTASK_SERVER_URL)')
  .option('--api-key <key>', 'API key for --server (env SWARMTASK_API_KEY)')
  .option('--task-id <id>', 'task id (env SWARMTASK_TASK_ID)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env SWARMTASK_LOG_LEVEL)')
  .option('--log-file <file>', 'also write JSON logs here (env SWARMTASK_LOG_FILE)')
  .showHelpAfterError()
  .exitOverride();

// Help lists commands in this order: running things first, then watching, then managing.
registerUpCommand(program);
registerServerCommands(program);
registerWorkerCommand(program);
registerOutboxCommand(program);
registerSpendCommand(program);
registerStatusCommand(program);
registerEarningsCommand(program);
registerEventsCommand(program);
registerAdminCommands(program);
registerPauseCommands(program);
registerBackupCommands(program);
registerConfigCommand(program);
registerWebhookCommands(program);
registerKeygenCommand(program);
registerLeaseCommands(program);
registerRoundAndSwarmCommands(program);
registerIpfsCommands(program);

// A mistyped variable would otherwise change nothing, silently.
for (const line of describeUnknownVariables(unknownVariables(process.env))) process.stderr.write(`${line}\n`);

// Not a top-level await: the single binary's bundle is CommonJS, which has none.
program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const exitCode = error instanceof CliError ? error.exitCode : 1;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`swarmtask: ${message}\n`);
  process.exit(exitCode);
});
