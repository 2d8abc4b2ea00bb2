import type { Command } from 'commander';
import { globalOptions, withAdmin } from '../context.js';
import { emit } from '../output.js';
import { formatWait } from '../status-view.js';
import { parseDuration } from '../parse-time.js';
import { pause as delay } from '../../../shared/pause.js';
import type { AdminApi } from '../admin-api.js';

/** Todos a worker holds under a lease: claimed and not yet reported, failed or handed back. */
const heldOf = (counts: Record<string, number>) => (counts.in_progress ?? 0) + (counts.draft_pr_received ?? 0);

/** Polls the todo counts until nothing is held or the time is up, saying each change of the count. */
async function waitUntilNothingHeld(api: AdminApi, timeoutMs: number, say: (line: string) => void): Promise<{ held: number; waitedMs: number }> {
  const started = Date.now();
  let last = -1;
  for (;;) {
    const held = heldOf(await api.todoCounts());
    const waitedMs = Date.now() - started;
    if (held === 0 || waitedMs >= timeoutMs) return { held, waitedMs };
    if (held !== last) say(`waiting for ${held} held ${held === 1 ? 'todo' : 'todos'} to be reported or handed back…`);
    last = held;
    await delay(Math.min(500, timeoutMs - waitedMs));
  }
}

export function registerPauseCommands(program: Command): void {
  program
    .command('pause')
    .description('stop handing out work (maintenance, an upgrade, a provider outage): claims get nothing, held todos are still reported, rounds go on')
    .option('--reason <text>', 'shown by status and in the event log')
    .option('--wait', 'then wait until no todo is held (every claim reported or handed back): safe to stop the coordinator')
    .option('--timeout <duration>', 'with --wait, give up after this long, e.g. 10m (exit 1; default 15m)', '15m')
    .action(async (flags: { reason?: string; wait?: boolean; timeout: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const timeoutMs = parseDuration('--timeout', flags.timeout);
      const { pause, changed, drained } = await withAdmin(options, async (api) => {
        const paused = await api.pauseClaims(flags.reason);
        if (!flags.wait) return { ...paused, drained: undefined };
        return { ...paused, drained: await waitUntilNothingHeld(api, timeoutMs, (line) => {
          if (!options.json) process.stderr.write(`${line}\n`);
        }) };
      });
      const said = changed
        ? `claims paused${pause.reason ? ` (${pause.reason})` : ''}: workers finish what they hold and get nothing new; swarmtask resume hands out work again`
        : `claims were already paused, since ${new Date(pause.since).toISOString()}${pause.reason ? ` (${pause.reason})` : ''}`;
      emit(options.json === true, { ...pause, changed, ...(drained ? { held: drained.held, waitedMs: drained.waitedMs } : {}) }, () => {
        if (!drained) return said;
        return drained.held === 0
          ? `${said}\nno todo is held any more (waited ${formatWait(drained.waitedMs)}): safe to stop the coordinator`
          : `${said}\n${drained.held} ${drained.held === 1 ? 'todo is' : 'todos are'} still held after ${formatWait(drained.waitedMs)}: their workers may be gone (leases expire on their own), or wait longer`;
      });
      if (drained && drained.held > 0) process.exitCode = 1;
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
