import type { Command } from 'commander';
import { MAX_TODOS_PER_CREATE } from '../../../shared/todo-schemas.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, emit, integer } from '../output.js';
import { batchTodos, parseTodoLines } from '../todo-lines.js';
import { readInputText } from '../read-spec-file.js';

/** Half the coordinator's default 1 MiB body limit, so a batch fits with room to spare. */
const BATCH_BYTES = 512 * 1024;
const PROBLEMS_SHOWN = 10;

export function registerTodoImport(todo: Command): void {
  todo
    .command('import <file.jsonl>')
    .description('enqueue many todos from JSON Lines (- for standard input): each line a todo ({"spec": …, "priority": 3}) or a bare SwarmSpec')
    .option('--repo <owner/name>', 'for lines that name no repo')
    .option('--reward <units>', 'for lines that set no reward (base units)')
    .option('--priority <n>', 'for lines that set no priority')
    .option('--max-attempts <n>', 'for lines that set no maxAttempts')
    .option('--dedupe', 'give lines without a dedupeKey one made from their content, so running the import again adds only what is missing')
    .option('--batch <n>', `todos per call (1-${MAX_TODOS_PER_CREATE}, default 500; each call is one transaction)`, '500')
    .action(async (file: string, flags: Record<string, string | boolean | undefined>, cmd: Command) => {
      const options = globalOptions(cmd);
      const batchSize = integer('--batch')(String(flags.batch));
      if (batchSize < 1 || batchSize > MAX_TODOS_PER_CREATE) throw new CliError(`--batch must be 1..${MAX_TODOS_PER_CREATE}`, 2);
      const { name, text } = readInputText(file);
      const optional = (flag: string, value: unknown) => (value === undefined ? undefined : integer(flag)(String(value)));
      const { todos, problems } = parseTodoLines(text, {
        repo: flags.repo as string | undefined,
        reward: optional('--reward', flags.reward),
        priority: optional('--priority', flags.priority),
        maxAttempts: optional('--max-attempts', flags.maxAttempts),
        dedupeByContent: flags.dedupe === true,
      });
      if (problems.length > 0) {
        const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `  ${p}`);
        if (problems.length > PROBLEMS_SHOWN) shown.push(`  … and ${problems.length - PROBLEMS_SHOWN} more`);
        throw new CliError(`${name}: nothing imported, ${problems.length} problem(s):\n${shown.join('\n')}`, 2);
      }
      if (todos.length === 0) throw new CliError(`${name} holds no todos`, 2);

      const batches = batchTodos(todos, batchSize, BATCH_BYTES);
      const outcome = { lines: todos.length, created: 0, existing: 0, ids: [] as number[] };
      await withAdmin(
        options,
        async (api) => {
          let lastImportedLine = 0;
          for (const batch of batches) {
            try {
              const result = await api.createTodos(batch.map((t) => t.input));
              outcome.created += result.created;
              outcome.existing += result.existing;
              outcome.ids.push(...result.results.map((r) => r.id));
            } catch (error) {
              const done = lastImportedLine === 0 ? 'nothing was imported' : `lines up to ${lastImportedLine} were imported`;
              const resume = flags.dedupe === true
                ? 'run the same command again: their dedupe keys skip what is already there'
                : `to resume, import the lines after line ${lastImportedLine}`;
              throw new CliError(`lines ${batch[0]!.line}-${batch.at(-1)!.line} were refused (${(error as Error).message}); ${done}; ${resume}`);
            }
            lastImportedLine = batch.at(-1)!.line;
            if (batches.length > 1 && !options.json) process.stderr.write(`  ${outcome.ids.length}/${todos.length}\n`);
          }
        },
        { mayCreateStore: true },
      );
      emit(options.json === true, outcome, () =>
        `imported ${outcome.lines} todo(s) from ${name}: ${outcome.created} queued` +
        (outcome.existing > 0 ? `, ${outcome.existing} already there (same dedupe key)` : ''),
      );
    });
}
