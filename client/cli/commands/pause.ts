import type { Command } from 'commander';
import { globalOptions, withAdmin } from '../context.js';
import { emit } from '../output.js';
import { formatWait } from '../status-view.js';

export function registerPauseCommands(program: Command): void {
  program
    .command('pause')
    .description('stop handing out work (maintenance, an upgrade, a provider outage): claims get nothing, held todos are still reported, rounds go on')
    .option('--reason <text>', 'shown by status and in the event log')
    .action(async (flags: { reason?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const { pause, changed } = await withAdmin(options, (api) => api.pauseClaims(flags.reason));
      emit(options.json === true, { ...pause, changed }, () =>
        changed
          ? `claims paused${pause.reason ? ` (${pause.reason})` : ''}: workers finish what they hold and get nothing new; swarmtask resume hands out work again`
          : `claims were already paused, since ${new Date(pause.since).toISOString()}${pause.reason ? ` (${pause.reason})` : ''}`,
      );
    });
  program
    .command('resume')
    .description('hand out work again after swarmtask pause')
    .action(async (_: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const { pausedMs } = await withAdmin(options, (api) => api.resumeClaims());
      emit(options.json === true, { pausedMs }, () => (pausedMs === null ? 'claims were not paused' : `claims resumed after ${formatWait(pausedMs)}`));
    });
}
