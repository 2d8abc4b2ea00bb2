import type { Command } from 'commander';
import { UpdateTodoInputSchema } from '../../../shared/todo-schemas.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, emit, integer } from '../output.js';
import { parseAt } from '../parse-time.js';
import { describeTodoChanges } from '../todo-changes.js';

export function registerTodoUpdate(todo: Command): void {
  todo
    .command('update <id>')
    .description("change a todo's priority (queued, in progress or failed), reward (queued or failed) or when it may be claimed (queued)")
    .option('--priority <n>', 'higher is claimed first (-1000..1000)')
    .option('--reward <units>', 'reward in base units (1 SWARMS = 10^9)')
    .option('--at <when>', 'claimable from: now, a delay like 30m / 2h / 1d, or an ISO date-time')
    .action(async (id: string, flags: { priority?: string; reward?: string; at?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const parsed = UpdateTodoInputSchema.safeParse({
        id: integer('id')(id),
        ...(flags.priority === undefined ? {} : { priority: integer('--priority')(flags.priority) }),
        ...(flags.reward === undefined ? {} : { reward: integer('--reward')(flags.reward) }),
        ...(flags.at === undefined ? {} : { availableAt: parseAt('--at', flags.at) }),
      });
      if (!parsed.success) {
        const flagOf = (field: PropertyKey | undefined) => (field === undefined ? 'give --priority, --reward or --at' : field === 'availableAt' ? '--at' : field === 'id' ? 'id' : `--${String(field)}`);
        throw new CliError(parsed.error.issues.map((i) => (i.path.length === 0 ? `nothing to change: ${flagOf(undefined)}` : `${flagOf(i.path[0])}: ${i.message}`)).join('; '), 2);
      }
      const { todo: updated, changes } = await withAdmin(options, (api) => api.updateTodo(parsed.data));
      emit(options.json === true, { ...updated, changes }, () => {
        const said = describeTodoChanges(changes);
        return said === '' ? `todo ${updated.id} unchanged (it already has those values)` : `todo ${updated.id}: ${said}`;
      });
    });
}
