import type { Command } from 'commander';
import { CancelMatchingInputSchema } from '../../../shared/todo-schemas.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, emit, integer } from '../output.js';

const FLAG_OF: Record<string, string> = { status: '--status', swarmType: '--type', repo: '--repo', limit: '--limit' };

export function registerCancelMatching(todo: Command): void {
  todo
    .command('cancel-matching')
    .description('cancel every queued or held todo that matches, at once (a wrong import, work called off): oldest first, in one transaction')
    .option('--status <status>', 'only initialized (queued) or only in_progress (held) todos')
    .option('--type <swarmType>', 'only todos of this swarm type')
    .option('--repo <owner/name>', 'only todos for this repository')
    .option('--all', 'every queued and held todo (needed when no filter is given)')
    .option('--limit <n>', 'at most this many (1-10000, default 1000)', '1000')
    .option('--dry-run', 'list the todos that would be cancelled, change nothing')
    .action(async (flags: { status?: string; type?: string; repo?: string; all?: boolean; limit: string; dryRun?: boolean }, cmd: Command) => {
      const options = globalOptions(cmd);
      const parsed = CancelMatchingInputSchema.safeParse({
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.type === undefined ? {} : { swarmType: flags.type }),
        ...(flags.repo === undefined ? {} : { repo: flags.repo }),
        all: flags.all === true,
        limit: integer('--limit')(flags.limit),
        dryRun: flags.dryRun === true,
      });
      if (!parsed.success) {
        const said = parsed.error.issues.map((i) =>
          i.path.length === 0 ? 'name what to cancel (--status, --type or --repo), or --all for every queued and held todo' : `${FLAG_OF[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`,
        );
        throw new CliError(said.join('; '), 2);
      }
      const result = await withAdmin(options, (api) => api.cancelMatching(parsed.data));
      emit(options.json === true, result, () => {
        const count = result.todoIds.length;
        if (count === 0) return 'no queued or held todo matches';
        const ids = count > 20 ? `${result.todoIds.slice(0, 20).join(', ')}, …` : result.todoIds.join(', ');
        const more = count === parsed.data.limit ? (result.dryRun ? '; more may match (raise --limit)' : '; more may match: run again') : '';
        return `${result.dryRun ? 'would cancel' : 'cancelled'}: ${count} todo(s) (${ids})${more}`;
      });
    });
}
