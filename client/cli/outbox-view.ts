import type { CoordinatorKeyPin } from '../worker/coordinator-pin.js';
import type { SpendTotals } from '../worker/spend-ledger.js';
import type { StoredSubmission, SubmissionState } from '../worker/submission-store.js';
import { formatUsd } from '../../server/swarms/run-budget.js';
import { table } from './output.js';
import { formatWait } from './status-view.js';

/** `swarmtask outbox`: what a worker node kept of its submissions, read from its data dir. */
export interface OutboxView {
  file: string;
  counts: Record<SubmissionState, number>;
  /** The coordinator signing keys this node pinned, by task id. */
  coordinatorKeys: Record<string, CoordinatorKeyPin>;
  /** Newest first. */
  submissions: StoredSubmission[];
  /** More entries match than are shown. */
  more: boolean;
  /** What the node's swarm runs spent on models in the last 24 h. */
  spentLastDay: SpendTotals;
}

const COUNT_WORDS: Record<SubmissionState, string> = {
  unreported: 'to report',
  reported: 'to submit',
  sent: 'sent',
  refused: 'refused',
  dropped: 'dropped',
};

export function describeOutbox(view: OutboxView, now = Date.now()): string {
  const total = Object.values(view.counts).reduce((sum, n) => sum + n, 0);
  const parts = (Object.keys(COUNT_WORDS) as SubmissionState[]).filter((state) => view.counts[state] > 0).map((state) => `${view.counts[state]} ${COUNT_WORDS[state]}`);
  const lines = [`outbox ${view.file}: ${total === 0 ? 'nothing submitted yet' : `${total} ${total === 1 ? 'submission' : 'submissions'}: ${parts.join(', ')}`}`];
  const pins = Object.entries(view.coordinatorKeys);
  if (pins.length === 0) lines.push('coordinator key: none pinned yet (pinned at the first start against a coordinator)');
  for (const [taskId, pin] of pins) lines.push(`coordinator key of task ${taskId}: ${pin.key} (${pin.source}, ${pin.pinnedAt})`);
  const spent = view.spentLastDay;
  lines.push(
    `spent on models in the last 24 h: ${formatUsd(spent.costUsd)}, ${spent.tokens.toLocaleString('en-US')} tokens, ${spent.calls} ${spent.calls === 1 ? 'call' : 'calls'} in ${spent.runs} ${spent.runs === 1 ? 'run' : 'runs'}`,
  );
  if (total > 0) {
    lines.push('', table(view.submissions.map(outboxRow(now)), ['id', 'todo', 'round', 'state', 'created', 'submission', 'note']));
    if (view.more) lines.push(`(the newest ${view.submissions.length} shown; --limit N for more)`);
  }
  return lines.join('\n');
}

const outboxRow = (now: number) => (entry: StoredSubmission) => ({
  id: entry.id,
  todo: entry.todoId,
  round: entry.round,
  state: entry.state,
  created: new Date(entry.createdAt).toISOString(),
  submission: entry.submissionCid,
  note: outboxNote(entry, now),
});

/** What happens next to an entry, or what became of it. */
export function outboxNote(entry: StoredSubmission, now: number): string {
  switch (entry.state) {
    case 'unreported':
    case 'reported': {
      const step = entry.state === 'unreported' ? 'report' : 'submit';
      const attempts = entry.state === 'unreported' ? entry.reportAttempts : entry.submitAttempts;
      const when = entry.nextAttemptAt > now ? `next try in ${formatWait(entry.nextAttemptAt - now)}` : 'due now';
      return `${step}: ${attempts} ${attempts === 1 ? 'try' : 'tries'}, ${when}${entry.lastError ? ` (last: ${entry.lastError})` : ''}`;
    }
    case 'sent':
      return `accepted as submission ${entry.coordinatorSubmissionId ?? '?'}${entry.prUrl ? `, PR ${entry.prUrl}` : ''}`;
    case 'refused':
      return `refused: ${entry.lastError ?? 'no reason kept'}`;
    case 'dropped':
      return `never reported: ${entry.lastError ?? 'no reason kept'}`;
  }
}
