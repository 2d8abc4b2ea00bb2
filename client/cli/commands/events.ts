import type { Command } from 'commander';
import { pause } from '../../worker/retry.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError } from '../output.js';
import { describeEvent, type EventLike } from '../progress.js';

const FOLLOW_POLL_MS = 500;
const PAGE = 500;

/** An event as either face returns it (over tRPC an `unknown` field is inferred optional). */
type ListedEvent = Omit<EventLike, 'data'> & { data?: unknown; createdAt: number };

/** One line per event: the progress line `up` prints, else its type, todo and data. */
function eventLine(listed: ListedEvent): string {
  const event: EventLike = { ...listed, data: listed.data ?? null };
  const line = describeEvent(event, new Map()) ?? `${event.type}${event.todoId === null ? '' : ` todo ${event.todoId}`}${event.data ? ` ${JSON.stringify(event.data)}` : ''}`;
  return `${new Date(listed.createdAt).toISOString()}  #${event.id}  ${line}`;
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description("the coordinator's event log: every state change, one line each (--follow keeps printing new ones)")
    .option('--last <n>', 'how many of the newest to show first (default 20)', '20')
    .option('-f, --follow', 'keep printing events as they happen, until Ctrl-C')
    .action(async (flags: { last: string; follow?: boolean }, cmd: Command) => {
      const options = globalOptions(cmd);
      const last = Number(flags.last);
      if (!/^\d+$/.test(flags.last) || last > 1000) throw new CliError('--last must be an integer 0..1000', 2);
      const print = (event: ListedEvent) =>
        process.stdout.write(`${options.json ? JSON.stringify(event) : eventLine(event)}\n`);
      const stopped = new AbortController();
      process.once('SIGINT', () => stopped.abort());
      process.once('SIGTERM', () => stopped.abort());
      await withAdmin(options, async (api) => {
        const { lastEventId } = await api.health();
        let after = Math.max(0, lastEventId - last);
        // Both faces read the same store the same way: pages after the last id seen.
        for (;;) {
          const page = await api.eventsAfter(after, PAGE);
          for (const event of page) print(event);
          if (page.length > 0) after = page[page.length - 1]!.id;
          if (page.length === PAGE) continue;
          if (!flags.follow || stopped.signal.aborted) return;
          await pause(FOLLOW_POLL_MS, stopped.signal);
          if (stopped.signal.aborted) return;
        }
      });
    });
}
