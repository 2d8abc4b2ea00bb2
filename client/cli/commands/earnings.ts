import type { Command } from 'commander';
import { describeEarnings } from '../earnings-view.js';
import { globalOptions } from '../context.js';
import { CliError, emit } from '../output.js';
import { keyOption, withWorker, type KeyFlags } from '../worker-call.js';

export function registerEarningsCommand(program: Command): void {
  keyOption(program.command('earnings').description("a staking key's balance, submissions and audits by outcome, and what its latest rounds paid (signed with the key)"))
    .option('--rounds <n>', 'how many of the latest paying rounds to list (default 10, at most 100)')
    .action(async (flags: KeyFlags & { rounds?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const rounds = flags.rounds === undefined ? 10 : Number(flags.rounds);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new CliError(`--rounds must be an integer from 1 to 100, got "${flags.rounds}"`, 2);
      const earnings = await withWorker(options, flags, (client) => client.call('workers.earnings', { rounds }));
      emit(options.json === true, earnings, () => describeEarnings(earnings));
    });
}
