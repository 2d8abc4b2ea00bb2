import type { Command } from 'commander';
import { globalOptions, serverConfigFrom, type GlobalOptions } from '../context.js';
import { CliError, emit } from '../output.js';
import type { StoreSummary } from '../../../server/db/backup-store.js';

/** Backups are files on the coordinator's machine: there is no remote face for them. */
function dataDirOnly(options: GlobalOptions, command: string): string {
  if (options.server !== undefined) {
    throw new CliError(`${command} works on the data dir (run it on the coordinator's machine with --data DIR), not on --server`, 2);
  }
  return serverConfigFrom(options).dataDir;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function describeContents(summary: StoreSummary): string {
  return [count(summary.todos, 'todo'), count(summary.rounds, 'round'), count(summary.workers, 'worker'), count(summary.events, 'event'), count(summary.blocks, 'IPFS block')].join(', ');
}

/** Store errors (missing, exists, not a store, a coordinator running) are the operator's to fix: exit 2. */
async function asCliErrors<T>(work: () => T): Promise<T> {
  const { StoreFileError } = await import('../../../server/db/backup-store.js');
  try {
    return work();
  } catch (error) {
    if (error instanceof StoreFileError) throw new CliError(error.message, 2);
    throw error;
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup <file>')
    .description('copy the store to a new file, safely while the coordinator runs (a consistent, compacted snapshot)')
    .action(async (file: string, _: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const dataDir = dataDirOnly(options, 'backup');
      const { backupStore } = await import('../../../server/db/backup-store.js');
      const result = await asCliErrors(() => backupStore(dataDir, file));
      emit(options.json === true, result, () =>
        [
          `backed up ${result.source} to ${result.file} (${megabytes(result.bytes)} in ${result.ms} ms): ${describeContents(result)}`,
          ...(result.coordinatorKeyFile
            ? [`not in the backup: the coordinator's signing key ${result.coordinatorKeyFile} (payout lists are signed with it); keep a copy with your secrets`]
            : []),
        ].join('\n'),
      );
    });
  program
    .command('restore <file>')
    .description("make a backup the data dir's store (the coordinator must be stopped; the store it replaces is kept)")
    .option('--replace', 'restore over an existing store (kept beside it as swarmtask.db.before-restore-<time>)')
    .action(async (file: string, flags: { replace?: boolean }, cmd: Command) => {
      const options = globalOptions(cmd);
      const dataDir = dataDirOnly(options, 'restore');
      const { restoreStore } = await import('../../../server/db/backup-store.js');
      const result = await asCliErrors(() => restoreStore(file, dataDir, { replace: flags.replace === true }));
      emit(options.json === true, result, () =>
        [
          `restored ${file} as ${result.file}: ${describeContents(result)}`,
          ...(result.keptPrevious ? [`the store it replaced is kept as ${result.keptPrevious}`] : []),
          ...(result.coordinatorKeyFile
            ? []
            : [`no coordinator signing key in ${dataDir}: copy the old coordinator-key.json there first, or a new key will sign payout lists from now on (and workers that pinned the old key refuse to start until their operators accept the new one)`]),
          `start the coordinator on it: swarmtask server --data ${dataDir}`,
        ].join('\n'),
      );
    });
}
