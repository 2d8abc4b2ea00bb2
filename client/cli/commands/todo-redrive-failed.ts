import type { Command } from 'commander';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, emit, integer } from '../output.js';
import { parseSince } from '../parse-time.js';

export function registerRedriveFailed(todo: Command): void {
  todo
    .command('redrive-failed')
    .description('put failed todos back in the queue, all at once (after an outage): oldest failure first, fresh attempt budgets')
    .option('--since <when>', 'only todos that failed in the last 30m / 2h / 7d, or since an ISO date-time')
    .option('--error <text>', 'only todos whose last error contains this text (case-insensitive), e.g. 429')
    .option('--limit <n>', 'at most this many (1-10000, default 1000)', '1000')
    .option('--dry-run', 'list the todos that would go back, change nothing')
    .action(async (flags: { since?: string; error?: string; limit: string; dryRun?: boolean }, cmd: Command) => {
      const options = globalOptions(cmd);
      const limit = integer('--limit')(flags.limit);
      if (limit < 1 || limit > 10_000) throw new CliError('--limit must be 1..10000', 2);
      const result = await withAdmin(options, (api) =>
        api.redriveFailed({
          limit,
          dryRun: flags.dryRun === true,
          ...(flags.since === undefined ? {} : { failedSince: parseSince('--since', flags.since) }),
          ...(flags.error === undefined ? {} : { errorContains: flags.error }),
        }),
      );
      emit(options.json === true, result, () => {
        const count = result.todoIds.length;
        if (count === 0) return 'no failed todo matches';
        const ids = result.todoIds.length > 20 ? `${result.todoIds.slice(0, 20).join(', ')}, …` : result.todoIds.join(', ');
        return `${result.dryRun ? 'would put back' : 'put back in the queue'}: ${count} todo(s) (${ids})${count === limit ? (result.dryRun ? '; more may match (raise --limit)' : '; more may match: run again') : ''}`;
      });
    });
}
