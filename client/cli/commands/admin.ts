import type { Command } from 'commander';
import type { SwarmSpec } from '../../../shared/swarm-spec.js';
import { DEFAULT_SWARM_TYPE, EXAMPLE_SWARM_SPEC } from '../../../shared/swarm-spec.js';
import { CreateTodoInputSchema, ListTodosInputSchema, TODO_STATUS_VALUES } from '../../../shared/todo-schemas.js';
import { globalOptions, withAdmin } from '../context.js';
import { clip, CliError, emit, integer, table } from '../output.js';
import { readSpecFile } from '../read-spec-file.js';
import { parseAt } from '../parse-time.js';
import { describeTodo } from '../todo-view.js';
import { describeWorker } from '../worker-view.js';
import { registerTodoImport } from './todo-import.js';
import { registerRedriveFailed } from './todo-redrive-failed.js';
import { registerTodoUpdate } from './todo-update.js';
import { registerCancelMatching } from './todo-cancel-matching.js';
import { formatSwarms } from '../../../shared/swarms-units.js';
import { WORKER_SORT_VALUES, type WorkerSort } from '../../../shared/worker-schemas.js';

export function registerAdminCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for operators and API users');
  keys
    .command('create')
    .requiredOption('--name <name>', 'a label for the key')
    .option('--read-only', 'a key that may only read (a dashboard, monitoring): it cannot change state, run swarms or make keys')
    .option('--expires <when>', 'the key stops working then: a delay like 30d or 12h, or an ISO date-time (default: never)')
    .description('create an API key (printed once; only its hash is stored)')
    .action(async (flags: { name: string; readOnly?: boolean; expires?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const expiresAt = flags.expires === undefined ? undefined : parseAt('--expires', flags.expires);
      const { key, info } = await withAdmin(options, (api) => api.createApiKey(flags.name, flags.readOnly ? 'read' : 'admin', expiresAt), { mayCreateStore: true });
      const expiry = info.expiresAt === null ? '' : `, expires ${new Date(info.expiresAt).toISOString()}`;
      emit(options.json === true, { key, ...info }, () => `${key}\n(id ${info.id}, ${info.scope === 'read' ? 'read-only' : 'admin'}${expiry}; store it now, it is not shown again)`);
    });
  keys.command('list').action(async (_: unknown, cmd: Command) => {
    const options = globalOptions(cmd);
    const list = await withAdmin(options, (api) => api.listApiKeys());
    emit(options.json === true, list, () => table(list as unknown as Record<string, unknown>[], ['id', 'name', 'scope', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt']));
  });
  keys
    .command('revoke <id>')
    .action(async (id: string, _: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const info = await withAdmin(options, (api) => api.revokeApiKey(id));
      emit(options.json === true, info, () => `revoked ${info.id} (${info.name})`);
    });

  const stake = program.command('stake').description("workers' stakes");
  stake
    .command('set <pubkey> <units>')
    .description('set the stake (integer base units; 1 SWARMS = 1000000000) of a staking key')
    .action(async (pubkey: string, units: string, _: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const amount = integer('units')(units);
      const worker = await withAdmin(options, (api) => api.setStake(pubkey, amount), { mayCreateStore: true });
      emit(options.json === true, worker, () => `stake of ${worker.stakingKey} is now ${formatSwarms(worker.stake)} (${worker.stake} base units)`);
    });
  program
    .command('workers')
    .description('registered workers, a page at a time (oldest registration first, or --sort lastSeen); with a staking key, that one worker in detail')
    .argument('[stakingKey]', 'one worker: registration, last seen, claims, the leases it holds, stake, earnings, audits')
    .option('--sort <order>', `${WORKER_SORT_VALUES.join(' or ')} (most recently active first)`, 'registered')
    .option('--limit <n>', 'how many (default 100, at most 500)')
    .option('--after <cursor>', 'the next page: the cursor printed after the previous one')
    .option('--rounds <n>', 'with a staking key: how many of its latest paying rounds to show (default 10)', integer('--rounds'))
    .action(async (stakingKey: string | undefined, flags: { sort: string; limit?: string; after?: string; rounds?: number }, cmd: Command) => {
      const options = globalOptions(cmd);
      if (stakingKey !== undefined) {
        const detail = await withAdmin(options, (api) => api.workerDetail(stakingKey, flags.rounds));
        emit(options.json === true, detail, () => describeWorker(detail));
        return;
      }
      if (!(WORKER_SORT_VALUES as readonly string[]).includes(flags.sort)) throw new CliError(`--sort must be one of ${WORKER_SORT_VALUES.join(', ')}`, 2);
      const page = await withAdmin(options, (api) =>
        api.listWorkers({
          sort: flags.sort as WorkerSort,
          ...(flags.limit ? { limit: integer('--limit')(flags.limit) } : {}),
          ...(flags.after ? { after: flags.after } : {}),
        }),
      );
      emit(options.json === true, page, () =>
        table(page.workers.map((w) => ({ ...w, stake: formatSwarms(w.stake) })), ['stakingKey', 'githubUsername', 'stake', 'registeredAt', 'lastSeenAt']),
      );
      // On stderr, so a piped table stays clean; --json carries nextAfter.
      if (!options.json && page.nextAfter !== null) process.stderr.write(`more: add --after ${page.nextAfter}${flags.sort === 'registered' ? '' : ` --sort ${flags.sort}`}\n`);
    });

  const todo = program.command('todo').description('work items');
  todo
    .command('example')
    .description("print the original system's example work item (a SwarmSpec)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(EXAMPLE_SWARM_SPEC, null, 2)}\n`);
    });
  todo
    .command('add <spec.json>')
    .description('enqueue a SwarmSpec (a JSON file, or - for standard input)')
    .option('--repo <owner/name>', 'GitHub repository the work is for')
    .option('--reward <units>', 'reward in base units (default 400 SWARMS)')
    .option('--priority <n>', 'higher is claimed first (default 0)')
    .option('--dedupe-key <key>', 'adding again with the same key returns the first todo')
    .option('--max-attempts <n>', 'claims before the todo fails (default 5)')
    .action(async (file: string, flags: Record<string, string | undefined>, cmd: Command) => {
      const options = globalOptions(cmd);
      const parsed = CreateTodoInputSchema.safeParse({
        spec: readSpecFile(file),
        repo: flags.repo,
        reward: flags.reward === undefined ? undefined : integer('--reward')(flags.reward),
        priority: flags.priority === undefined ? undefined : integer('--priority')(flags.priority),
        dedupeKey: flags.dedupeKey,
        maxAttempts: flags.maxAttempts === undefined ? undefined : integer('--max-attempts')(flags.maxAttempts),
      });
      if (!parsed.success) {
        throw new CliError(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '), 2);
      }
      const { todo: created, created: isNew } = await withAdmin(options, (api) => api.createTodo(parsed.data), {
        mayCreateStore: true,
      });
      emit(options.json === true, { ...created, created: isNew }, () =>
        isNew
          ? `todo ${created.id} queued (${created.spec.swarm_type ?? DEFAULT_SWARM_TYPE}: ${created.spec.name ?? created.spec.task.slice(0, 40)}; reward ${formatSwarms(created.reward)}` +
            `${created.availableAt > Date.now() ? `; scheduled, claimable from ${new Date(created.availableAt).toISOString()}` : ''})`
          : `todo ${created.id} already exists for that dedupe key`,
      );
    });
  registerTodoImport(todo);
  registerRedriveFailed(todo);
  registerTodoUpdate(todo);
  registerCancelMatching(todo);
  todo
    .command('list')
    .description('todos, newest first, as a table')
    .option('--status <status>', `one of ${TODO_STATUS_VALUES.join(', ')}`)
    .option('--limit <n>', 'how many (default 50)')
    .option('--before <id>', 'only todos older than this id (the next page; lists are newest first)')
    .option('--type <swarmType>', 'only todos of this swarm type')
    .option('--repo <owner/name>', 'only todos for this repository')
    .action(async (flags: { status?: string; limit?: string; before?: string; type?: string; repo?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const parsed = ListTodosInputSchema.safeParse({
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.type === undefined ? {} : { swarmType: flags.type }),
        ...(flags.repo === undefined ? {} : { repo: flags.repo }),
        limit: flags.limit ? integer('--limit')(flags.limit) : 50,
        ...(flags.before ? { beforeId: integer('--before')(flags.before) } : {}),
      });
      if (!parsed.success) {
        const flagOf: Record<string, string> = { status: '--status', swarmType: '--type', repo: '--repo', limit: '--limit', beforeId: '--before' };
        throw new CliError(parsed.error.issues.map((i) => `${flagOf[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '), 2);
      }
      const page = await withAdmin(options, (api) => api.listTodos(parsed.data));
      emit(options.json === true, page, () =>
        table(
          page.todos.map((t) => ({
            id: t.id,
            status: t.status,
            type: t.spec.swarm_type ?? DEFAULT_SWARM_TYPE,
            name: t.spec.name ?? '',
            priority: t.priority,
            reward: formatSwarms(t.reward),
            attempts: `${t.attempts}/${t.maxAttempts}`,
            holder: t.holderKey,
            updated: t.updatedAt,
            // Why it failed or was declined, cut to keep the table a table (todo show has it whole).
            'last error': t.lastError === null ? null : clip(t.lastError, 70),
          })),
          ['id', 'status', 'type', 'name', 'priority', 'reward', 'attempts', 'holder', 'updated', 'last error'],
        ),
      );
      // The hint goes to stderr, so piping the table stays clean; --json carries nextBeforeId.
      if (!options.json && page.nextBeforeId !== null) process.stderr.write(`more: add --before ${page.nextBeforeId}\n`);
    });
  todo
    .command('show <id>')
    .description('show one todo, with every claim of it and how each ended')
    .action(async (id: string, _: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const todoId = integer('id')(id);
      const { record, history } = await withAdmin(options, async (api) => ({ record: await api.getTodo(todoId), history: await api.todoHistory(todoId) }));
      const minimumCalls = options.json === true ? null : await minimumCallsOrNull(record.spec);
      emit(options.json === true, { ...record, history }, () => describeTodo(record, history, { minimumCalls }));
    });
  for (const [name, verb] of [
    ['cancel', 'cancel a queued or in-progress todo'],
    ['redrive', 'put a failed todo back in the queue'],
  ] as const) {
    todo
      .command(`${name} <id>`)
      .description(verb)
      .action(async (id: string, _: unknown, cmd: Command) => {
        const options = globalOptions(cmd);
        const todoId = integer('id')(id);
        const record = await withAdmin(options, (api) => (name === 'cancel' ? api.cancelTodo(todoId) : api.redriveTodo(todoId)));
        emit(options.json === true, record, () =>
          name === 'cancel' ? `todo ${record.id} cancelled` : `todo ${record.id} back in the queue (attempts ${record.attempts}/${record.maxAttempts})`,
        );
      });
  }
}

/** The fewest model calls a run of `spec` makes, for people (null if the engine rejects the spec); loaded only when shown. */
async function minimumCallsOrNull(spec: SwarmSpec): Promise<number | null> {
  const { minimumModelCalls } = await import('../../../server/swarms/minimum-calls.js');
  const { SwarmSpecError } = await import('../../../server/swarms/errors.js');
  try {
    return minimumModelCalls(spec);
  } catch (error) {
    if (error instanceof SwarmSpecError) return null;
    throw error;
  }
}
