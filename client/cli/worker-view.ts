import type { WorkerDetail } from '../../server/auth/worker-detail.js';
import { earningsLines } from './earnings-view.js';
import { labelled } from './output.js';
import { formatWait } from './status-view.js';

/** `swarmtask workers KEY`: one node as its coordinator's operator sees it. */
export function describeWorker(detail: WorkerDetail, now = Date.now()): string {
  const w = detail.worker;
  const [keyLine, ...earnings] = earningsLines(detail.earnings);
  const lines: Array<[string, string]> = [keyLine!];
  if (w.githubUsername) lines.push(['github user', w.githubUsername]);
  if (w.mainWalletKey) lines.push(['main wallet', w.mainWalletKey]);
  lines.push(
    ['registered', new Date(w.registeredAt).toISOString()],
    ['last seen', w.lastSeenAt === null ? 'never' : `${new Date(w.lastSeenAt).toISOString()} (${formatWait(Math.max(0, now - w.lastSeenAt))} ago)`],
    ['claims', `${detail.claims} in all`],
    ['holding', detail.holding.length === 0 ? 'nothing' : detail.holding.map(describeLease(now)).join(', ')],
    ...earnings,
  );
  return labelled(lines);
}

const describeLease = (now: number) => (lease: WorkerDetail['holding'][number]) => {
  const expiry = lease.leaseExpiresAt === null ? '' : lease.leaseExpiresAt > now ? `, lease for ${formatWait(lease.leaseExpiresAt - now)}` : ', lease expired';
  return `todo ${lease.todoId} (${lease.status}${expiry})`;
};
