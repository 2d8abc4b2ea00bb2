import type { Command } from 'commander';
import { connectionFailure } from '../../connection-failure.js';
import { pause } from '../../worker/retry.js';
import type { AdminApi } from '../admin-api.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, integer } from '../output.js';
import { parseSince } from '../parse-time.js';
import { describeEvent, type EventLike } from '../progress.js';
import { formatWait } from '../status-view.js';

const FOLLOW_POLL_MS = 500;
/** While the coordinator is unreachable, asked again after 0.5, 1, 2, 4, 5, 5… s. */
const MAX_RETRY_MS = 5000;
const PAGE = 500;

/** An event as either face returns it (over tRPC an `unknown` field is inferred optional). */
type ListedEvent = Omit<EventLike, 'data'> & { data?: unknown; createdAt: number };

/** One line per event: the progress line `up` prints, else its type, todo and data. */
function eventLine(listed: ListedEvent): string {
  const event: EventLike = { ...listed, data: listed.data ?? null };
  const line = describeEvent(event, new Map()) ?? `${event.type}${event.todoId === null ? '' : ` todo ${event.todoId}`}${event.data ? ` ${JSON.stringify(event.data)}` : ''}`;
  return `${new Date(listed.createdAt).toISOString()}  #${event.id}  ${line}`;
}

/** `--type a --type b,c` → ['a', 'b', 'c']. */
function collectPrefixes(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((prefix) => prefix.trim()).filter(Boolean)];
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description("the coordinator's event log: every state change, one line each (--type, --todo, --since narrow it; --follow keeps printing new ones)")
    .option('--last <n>', 'how many of the newest to show first (default 20; with --since, all since then)')
    .option('--since <when>', 'events of the last 30m / 2h / 7d, or since an ISO date-time')
    .option('-f, --follow', 'keep printing events as they happen, until Ctrl-C')
    .option('--type <prefix>', 'only events whose type starts with this, e.g. todo.failed or queue. (repeat or comma-separate for several)', collectPrefixes, [])
    .option('--todo <id>', 'only the events of this todo', integer('--todo'))
    .action(async (flags: { last?: string; since?: string; follow?: boolean; type: string[]; todo?: number }, cmd: Command) => {
      const options = globalOptions(cmd);
      if (flags.last !== undefined && (!/^\d+$/.test(flags.last) || Number(flags.last) > 1000)) throw new CliError('--last must be an integer 0..1000', 2);
      if (flags.type.length > 20) throw new CliError('--type: at most 20 prefixes', 2);
      if (flags.todo !== undefined && flags.todo < 1) throw new CliError('--todo must be a todo id (1 or more)', 2);
      const since = flags.since === undefined ? undefined : parseSince('--since', flags.since);
      // Without --last, --since shows everything since then; otherwise the newest 20.
      const last = flags.last !== undefined ? Number(flags.last) : since === undefined ? 20 : undefined;
      const filter = {
        ...(flags.type.length > 0 ? { types: flags.type } : {}),
        ...(flags.todo === undefined ? {} : { todoId: flags.todo }),
        ...(since === undefined ? {} : { since }),
      };
      const print = (event: ListedEvent) =>
        process.stdout.write(`${options.json ? JSON.stringify(event) : eventLine(event)}\n`);
      const stopped = new AbortController();
      process.once('SIGINT', () => stopped.abort());
      process.once('SIGTERM', () => stopped.abort());
      await withAdmin(options, async (api) => {
        const { lastEventId } = await api.health();
        if (last === undefined) await printEventsSince(api, filter, lastEventId, print, stopped.signal);
        else for (const event of await newestEvents(api, filter, last, lastEventId, stopped.signal)) print(event);
        if (flags.follow) await followEvents(api, filter, lastEventId, print, stopped.signal);
      });
    });
}

/** The narrowing flags, as `events.find` takes them. */
type EventFilter = { types?: string[]; todoId?: number; since?: number };

/** Prints every match up to the present (`headId`), oldest first, a page at a time (each call scans a bounded window). */
async function printEventsSince(api: AdminApi, filter: EventFilter, headId: number, print: (event: ListedEvent) => void, signal: AbortSignal): Promise<void> {
  for (let afterId = 0; !signal.aborted; ) {
    const page = await api.findEvents({ ...filter, afterId, beforeId: headId + 1, limit: PAGE, from: 'oldest' });
    for (const event of page.events) print(event);
    if (page.done) return;
    afterId = page.cursor;
  }
}

/** The newest `count` matches up to the present, searched backwards. */
async function newestEvents(api: AdminApi, filter: EventFilter, count: number, headId: number, signal: AbortSignal): Promise<ListedEvent[]> {
  const found: ListedEvent[] = [];
  for (let beforeId = headId + 1; found.length < count && !signal.aborted; ) {
    const page = await api.findEvents({ ...filter, beforeId, limit: count - found.length, from: 'newest' });
    found.unshift(...page.events);
    if (page.done) break;
    beforeId = page.cursor;
  }
  return found;
}

/**
 * New matches after `afterId` as they come, until `signal`; the cursor moves on even when nothing
 * matched. A coordinator that goes away (a restart, an upgrade) is waited for, said once: the log
 * resumes where it was.
 */
async function followEvents(api: AdminApi, filter: EventFilter, afterId: number, print: (event: ListedEvent) => void, signal: AbortSignal): Promise<void> {
  let lostSince: number | null = null;
  for (let retryMs = FOLLOW_POLL_MS; !signal.aborted; ) {
    let page: Awaited<ReturnType<AdminApi['findEvents']>>;
    try {
      page = await api.findEvents({ ...filter, afterId, limit: PAGE, from: 'oldest' });
    } catch (error) {
      const failure = connectionFailure(error);
      if (!failure) throw error;
      if (lostSince === null) {
        lostSince = Date.now();
        process.stderr.write(`swarmtask: lost the coordinator (${failure.code}); waiting for it, the events resume where they stopped\n`);
      }
      await pause(retryMs, signal);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      continue;
    }
    if (lostSince !== null) {
      process.stderr.write(`swarmtask: the coordinator is back after ${formatWait(Date.now() - lostSince)}\n`);
      lostSince = null;
      retryMs = FOLLOW_POLL_MS;
    }
    for (const event of page.events) print(event);
    afterId = page.cursor;
    if (page.done) await pause(FOLLOW_POLL_MS, signal);
  }
}
