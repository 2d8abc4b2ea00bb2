import client from 'prom-client';
import type { Core } from '../core.js';
import { countTodosByStatus } from '../queue/list-todos.js';
import { oldestClaimableAt } from '../queue/oldest-claimable.js';
import { claimsPause } from '../queue/claims-pause.js';
import { summarizeWorkers } from '../auth/list-workers.js';
import { currentRound } from '../rounds/round-views.js';
import { cachedStatement } from '../db/statements.js';
import { retainedEventIds } from '../events/prune-events.js';
import { pathOf, type RouteHandler } from './route.js';
import { webhookStatus } from '../webhooks/webhook-status.js';
import { storeRoom } from '../db/store-room.js';

export interface Metrics {
  registry: client.Registry;
  procedureErrors: client.Counter<'path' | 'code'>;
  route: RouteHandler;
}

/**
 * Prometheus metrics: process defaults and failed calls, plus what an operator alerts on, read
 * from the store at scrape time (nothing on the hot path): todos by status, how long the oldest
 * claimable todo has waited, workers, open WebSocket connections, rounds, the newest event id.
 */
export function createMetrics(core: () => Core | null, webSocketConnections: () => number = () => 0): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'swarmtask_' });
  const procedureErrors = new client.Counter({
    name: 'swarmtask_procedure_errors_total',
    help: 'Failed tRPC procedure calls by path and error code',
    labelNames: ['path', 'code'] as const,
    registers: [registry],
  });
  /** A gauge whose value is read from the store when scraped (none until the store is open). */
  const fromStore = (name: string, help: string, read: (core: Core) => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const current = core();
        if (current) this.set(read(current));
      },
    });
  /** A labelled gauge read from the store when scraped: one sample per entry `read` returns. */
  const labelledFromStore = (name: string, help: string, label: string, read: (core: Core) => Record<string, number> | null) =>
    new client.Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        const current = core();
        const values = current && read(current);
        if (!values) return;
        this.reset();
        for (const [key, n] of Object.entries(values)) this.set({ [label]: key }, n);
      },
    });
  labelledFromStore('swarmtask_todos', 'Todos by status', 'status', countTodosByStatus);
  fromStore('swarmtask_oldest_claimable_todo_age_seconds', 'How long the longest-waiting claimable todo has waited (0 when none waits)', (c) => {
    const now = Date.now();
    const since = oldestClaimableAt(c, now);
    return since === null ? 0 : (now - since) / 1000;
  });
  fromStore('swarmtask_claims_paused', '1 while an operator has paused claims (swarmtask pause), else 0', (c) => (claimsPause(c) ? 1 : 0));
  labelledFromStore('swarmtask_workers', 'Workers: registered, staked at least the minimum, active (seen) in the last 10 minutes', 'state', (c) => {
    const summary = summarizeWorkers(c);
    return { registered: summary.registered, staked: summary.staked, active_10m: summary.activeLast10Minutes };
  });
  new client.Gauge({
    name: 'swarmtask_websocket_connections',
    help: 'Open WebSocket connections (workers and dashboards)',
    registers: [registry],
    collect() {
      this.set(webSocketConnections());
    },
  });
  fromStore('swarmtask_round_current', 'The current round number', (c) => currentRound(c).number);
  fromStore(
    'swarmtask_round_last_tallied',
    'The newest tallied round (-1 before the first tally)',
    (c) => (cachedStatement(c.sqlite, "SELECT coalesce(max(number), -1) AS n FROM rounds WHERE status = 'tallied'").get() as { n: number }).n,
  );
  fromStore('swarmtask_last_event_id', 'Id of the newest event: its rate is the rate of state changes', (c) => c.bus.latestId);
  fromStore(
    'swarmtask_first_event_id',
    'Id of the oldest event the log keeps (older ones were pruned; subscriptions resume from here on)',
    (c) => retainedEventIds(c)?.oldest ?? 0,
  );
  // Alert on a webhook failing, or falling behind; both 0 when no webhook ever ran here.
  fromStore('swarmtask_webhook_failing', '1 while deliveries to the webhook (SWARMTASK_WEBHOOK_URL) fail and are retried, else 0', (c) => (webhookStatus(c)?.failing ? 1 : 0));
  fromStore('swarmtask_webhook_events_after_cursor', 'Events written after the last one the webhook sender handled (those of its types are still to be sent)', (c) => webhookStatus(c)?.eventsAfterCursor ?? 0);
  // Alert before writes fail with STORE_FULL: on swarmtask_disk_low, or on free bytes directly.
  labelledFromStore('swarmtask_store_bytes', 'Size of the store on disk: the database file and its write-ahead log', 'file', (c) => {
    const room = storeRoom(c);
    return room && { db: room.storeBytes, wal: room.walBytes };
  });
  fromStore('swarmtask_disk_free_bytes', 'Bytes free to the coordinator on the file system of its data dir', (c) => storeRoom(c)?.freeBytes ?? 0);
  fromStore('swarmtask_disk_low', '1 while free space is below twice the store (or 1 GiB), the room a backup and growth need, else 0', (c) => (storeRoom(c)?.low ? 1 : 0));
  const route: RouteHandler = async (req, res) => {
    if (pathOf(req) !== '/metrics') return false;
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(text);
    return true;
  };
  return { registry, procedureErrors, route };
}
