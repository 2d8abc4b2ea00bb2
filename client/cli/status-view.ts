import type { Holder } from '../../server/db/data-dir-lock.js';
import { TODO_STATUS_VALUES } from '../../shared/todo-schemas.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import type { WorkerSummary } from '../../shared/worker-schemas.js';
import { labelled } from './output.js';
import type { WebhookStatus } from '../../server/webhooks/webhook-status.js';
import type { DiskRoom } from '../../server/db/disk-room.js';
import { formatBytes } from '../../shared/format-bytes.js';

/** A wait for people: `42 s`, `3 min 12 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatWait(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export interface CoordinatorStatus {
  /** Where this was read: a running coordinator's URL, or a data dir (and who serves it, if anyone). */
  source: { serverUrl: string } | { dataDir: string; runningCoordinator: Holder | null };
  taskId: string;
  minStake: number;
  todos: Record<string, number>;
  /** How long the longest-waiting claimable todo has waited; null when none waits. */
  oldestClaimableWaitMs: number | null;
  /** Set while an operator has paused claims (`swarmtask pause`). */
  claimsPaused: { since: number; reason: string | null } | null;
  workers: WorkerSummary;
  round: { number: number; endsAt: number; roundMs: number };
  lastTalliedRound: { number: number; total: number; keys: number; distributionCid: string | null } | null;
  /** Where delivery to the operator's webhook stands (null: no webhook ever ran on this store). */
  webhook: WebhookStatus | null;
  /** The store's size and the disk room left where it lives (null: an in-memory store). */
  storage: DiskRoom | null;
}

/** `swarmtask status` for a person: one line per concern. */
export function describeStatus(status: CoordinatorStatus, now = Date.now()): string {
  const source = status.source;
  const coordinator =
    'serverUrl' in source
      ? source.serverUrl
      : source.runningCoordinator
        ? `running, pid ${source.runningCoordinator.pid}${source.runningCoordinator.url ? ` at ${source.runningCoordinator.url}` : ''} since ${source.runningCoordinator.startedAt} (data ${source.dataDir})`
        : `not running (data ${source.dataDir}; start it with swarmtask server)`;
  const counts = TODO_STATUS_VALUES.filter((s) => (status.todos[s] ?? 0) > 0).map((s) => `${status.todos[s]} ${s}`);
  const w = status.workers;
  const paid = status.lastTalliedRound;
  const lines: Array<[string, string]> = [
    ['coordinator', coordinator],
    ['task', status.taskId],
    ['todos', counts.length > 0 ? counts.join(', ') : 'none yet (swarmtask todo add spec.json)'],
    ['queue', status.oldestClaimableWaitMs === null ? 'nothing waiting to be claimed' : `the oldest claimable todo has waited ${formatWait(status.oldestClaimableWaitMs)}`],
    ...(status.claimsPaused
      ? [['claims', `PAUSED since ${new Date(status.claimsPaused.since).toISOString()}${status.claimsPaused.reason ? ` (${status.claimsPaused.reason})` : ''}: swarmtask resume`] as [string, string]]
      : []),
    ['workers', `${w.registered} registered, ${w.staked} staked at least ${formatSwarms(status.minStake)}, ${w.activeLast10Minutes} seen in the last 10 minutes`],
    ['round', `${status.round.number}, ends ${new Date(status.round.endsAt).toISOString()} (${status.round.roundMs / 1000} s rounds)`],
    [
      'last tally',
      paid
        ? `round ${paid.number}: paid ${formatSwarms(paid.total)} to ${paid.keys} ${paid.keys === 1 ? 'key' : 'keys'}${paid.distributionCid ? `, list ${paid.distributionCid}` : ''}`
        : 'no round with work tallied yet',
    ],
    ...(status.webhook ? [['webhook', describeWebhook(status.webhook, now)] as [string, string]] : []),
    ...(status.storage ? [['disk', describeStorage(status.storage)] as [string, string]] : []),
  ];
  return labelled(lines);
}

/** `store 12.3 MiB (WAL 1.1 MiB), 41.0 GiB free`, or LOW with what should stay free. */
export function describeStorage(room: DiskRoom): string {
  const store = `store ${formatBytes(room.storeBytes)}${room.walBytes > 0 ? ` (WAL ${formatBytes(room.walBytes)})` : ''}`;
  if (!room.low) return `${store}, ${formatBytes(room.freeBytes)} free`;
  return `${store}, LOW: ${formatBytes(room.freeBytes)} free, keep at least ${formatBytes(room.wantedFreeBytes)} (twice the store, or 1 GiB) for growth and backups; writes fail with STORE_FULL when it runs out`;
}

/** `https://… : delivered up to event 812, 3 s ago` or `FAILING since … (7 attempts): HTTP 503 …`. */
function describeWebhook(webhook: WebhookStatus, now: number): string {
  if (webhook.failing) {
    const { since, attempts, error } = webhook.failing;
    return `${webhook.url}: FAILING for ${formatWait(now - since)} (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}, retrying): ${error}; events after ${webhook.cursor} wait`;
  }
  const delivered = webhook.deliveredAt === null ? 'nothing delivered yet' : `last delivery ${formatWait(now - webhook.deliveredAt)} ago`;
  return `${webhook.url}: sent up to event ${webhook.cursor}, ${delivered}`;
}
