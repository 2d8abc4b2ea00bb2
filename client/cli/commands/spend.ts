import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { CliError, emit, integer, table } from '../output.js';
import { openWorkerRecord, workerDataDir } from '../worker-data-dir.js';

const DAY_MS = 86_400_000;

/**
 * `swarmtask spend`: what this node paid for model calls, day by day (UTC), from its own record
 * in the data dir: every swarm run, finished or stopped, with its calls, tokens and dollars at
 * the price table's rates. No coordinator needed; safe beside a running worker.
 */
export function registerSpendCommand(program: Command): void {
  program
    .command('spend')
    .description("what this worker node spent on models, day by day (UTC): runs, model calls, tokens, US dollars, from its data dir")
    .option('--days <n>', 'how many days back, today included (default 7, at most 366)', integer('--days'))
    .addHelpText('after', '\nAlso: --data <dir> (the worker\'s data dir; env SWARMTASK_WORKER_DATA, default ./worker-data), --json.')
    .action(async (flags: { days?: number }, cmd: Command) => {
      const options = globalOptions(cmd);
      const days = flags.days ?? 7;
      if (days < 1 || days > 366) throw new CliError(`--days must be an integer from 1 to 366, got ${days}`, 2);
      const { SpendLedger } = await import('../../worker/spend-ledger.js');
      const { formatUsd } = await import('../../../server/swarms/run-budget.js');
      const dataDir = workerDataDir(options);
      const ledger = openWorkerRecord(() => new SpendLedger(dataDir, { readOnly: true }));
      try {
        const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
        const since = today - (days - 1) * DAY_MS;
        const perDay = ledger.byDay(since);
        const total = perDay.reduce(
          (sum, day) => ({ runs: sum.runs + day.runs, calls: sum.calls + day.calls, tokens: sum.tokens + day.tokens, costUsd: sum.costUsd + day.costUsd }),
          { runs: 0, calls: 0, tokens: 0, costUsd: 0 },
        );
        const view = { dataDir, days, since, perDay, total: { ...total, costUsd: Math.round(total.costUsd * 1e10) / 1e10 } };
        emit(options.json === true, view, () => {
          if (perDay.length === 0) return `no swarm runs recorded in the last ${days} ${days === 1 ? 'day' : 'days'} (${dataDir})`;
          const rows = perDay.map((day) => ({ day: day.day, runs: day.runs, calls: day.calls, tokens: day.tokens.toLocaleString('en-US'), spent: formatUsd(day.costUsd) }));
          rows.push({ day: `${days} days`, runs: total.runs, calls: total.calls, tokens: total.tokens.toLocaleString('en-US'), spent: formatUsd(view.total.costUsd) });
          return `${table(rows, ['day', 'runs', 'calls', 'tokens', 'spent'])}\n(dollars at the price table's rates; models it has no price for, and local ones, count as $0)`;
        });
      } finally {
        ledger.close();
      }
    });
}
