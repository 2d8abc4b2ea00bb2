import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { CliError, emit, integer } from '../output.js';
import { openWorkerRecord, workerDataDir } from '../worker-data-dir.js';

interface OutboxFlags {
  state?: string;
  todo?: number;
  limit?: number;
}

/**
 * `swarmtask outbox`: a worker node's own record of what it submitted, read from its data dir
 * (no coordinator needed, and safe beside a running worker): what waits to be reported or
 * submitted and why, what was accepted, refused or dropped, and the coordinator keys it pinned.
 */
export function registerOutboxCommand(program: Command): void {
  program
    .command('outbox')
    .description("a worker's submissions as its data dir keeps them: waiting (and why), sent, refused, dropped; and the coordinator key it pinned")
    .option('--state <states>', 'only these states, comma-separated: unreported, reported, sent, refused, dropped, or pending (= unreported,reported)')
    .option('--todo <id>', 'only the submissions of this todo', integer('--todo'))
    .option('--limit <n>', 'how many of the newest to list (default 20)', integer('--limit'))
    .addHelpText('after', '\nAlso: --data <dir> (the worker\'s data dir; env SWARMTASK_WORKER_DATA, default ./worker-data), --json.')
    .action(async (flags: OutboxFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const { SUBMISSION_STATES, SubmissionStore } = await import('../../worker/submission-store.js');
      const { readCoordinatorPins } = await import('../../worker/coordinator-pin.js');
      const { SpendLedger } = await import('../../worker/spend-ledger.js');
      const { DAY_MS } = await import('../../worker/spend-limit.js');
      const { describeOutbox } = await import('../outbox-view.js');
      const states = flags.state === undefined ? undefined : parseStates(flags.state, SUBMISSION_STATES);
      const limit = flags.limit ?? 20;
      if (limit < 1 || limit > 10_000) throw new CliError(`--limit must be an integer from 1 to 10000, got ${limit}`, 2);
      const dataDir = workerDataDir(options);

      const store = openWorkerRecord(() => new SubmissionStore(dataDir, { readOnly: true }));
      const ledger = new SpendLedger(dataDir, { readOnly: true });
      try {
        const rows = store.newest({ ...(states ? { states } : {}), ...(flags.todo !== undefined ? { todoId: flags.todo } : {}), limit: limit + 1 });
        const view = {
          file: store.file,
          counts: store.countsByState(),
          coordinatorKeys: readCoordinatorPins(dataDir),
          submissions: rows.slice(0, limit),
          more: rows.length > limit,
          spentLastDay: ledger.spentSince(Date.now() - DAY_MS),
        };
        emit(options.json === true, view, () => describeOutbox(view));
      } finally {
        store.close();
        ledger.close();
      }
    });
}

function parseStates<State extends string>(text: string, known: readonly State[]): State[] {
  const states = new Set<State>();
  for (const name of text.split(',').map((part) => part.trim())) {
    if (name === 'pending') {
      states.add('unreported' as State).add('reported' as State);
    } else if ((known as readonly string[]).includes(name)) {
      states.add(name as State);
    } else {
      throw new CliError(`--state: unknown state "${name}" (one of ${known.join(', ')}, pending)`, 2);
    }
  }
  return [...states];
}
