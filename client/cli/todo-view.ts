import { DEFAULT_SWARM_TYPE } from '../../shared/swarm-spec.js';
import type { TodoRecord } from '../../server/queue/todo-record.js';
import type { TodoAttempt } from '../../server/queue/todo-history.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import { labelled } from './output.js';
import { formatWait } from './status-view.js';

const RESULT_PREVIEW_CHARS = 400;

/** A todo as either face returns it (over tRPC, an `unknown` field is inferred optional). */
type ShownTodo = Omit<TodoRecord, 'result'> & { result?: unknown };

const ERROR_CHARS = 160;

/** `todo show` for a person: what it is, where it stands, who holds it, what went wrong, each claim. `--json` gives the whole record. */
export function describeTodo(todo: ShownTodo, history: TodoAttempt[] = [], options: { now?: number; minimumCalls?: number | null } = {}): string {
  const { now = Date.now(), minimumCalls = null } = options;
  const spec = todo.spec;
  // The fewest model calls any run of it makes: what a node's --max-calls-per-todo must allow.
  const calls = minimumCalls === null ? '' : `, at least ${minimumCalls} model ${minimumCalls === 1 ? 'call' : 'calls'} a run`;
  const lines: Array<[string, string]> = [
    ['status', todo.status],
    ['swarm', `${spec.swarm_type ?? DEFAULT_SWARM_TYPE}${spec.name ? `: ${spec.name}` : ''} (${spec.agents.length} ${spec.agents.length === 1 ? 'agent' : 'agents'}${calls})`],
    ['task', spec.task],
    ['reward', formatSwarms(todo.reward)],
    ['priority', String(todo.priority)],
    ['attempts', `${todo.attempts} of ${todo.maxAttempts}`],
  ];
  if (todo.availableAt > now && todo.status === 'initialized') {
    // A failed attempt waits out the queue's back-off; otherwise it was scheduled (or put off by the operator).
    const why = todo.attempts > 0 && todo.lastError !== null ? 'backing off after a failed attempt' : 'scheduled';
    const soon = todo.availableAt - now < 7 * 86_400_000 ? `, in ${formatWait(todo.availableAt - now)}` : '';
    lines.push(['available', `${iso(todo.availableAt)} (${why}${soon})`]);
  }
  if (todo.repo) lines.push(['repository', `${todo.repo.owner}/${todo.repo.name}`]);
  if (todo.bountyId) lines.push(['bounty', todo.bountyId]);
  if (todo.dedupeKey) lines.push(['dedupe key', todo.dedupeKey]);
  if (todo.holderKey) {
    const lease = todo.leaseExpiresAt === null ? '' : `, lease ${todo.leaseExpiresAt > now ? 'until' : 'expired'} ${iso(todo.leaseExpiresAt)}`;
    lines.push(['held by', `${todo.holderKey}${lease}`]);
  }
  if (todo.prUrl) lines.push(['pull request', todo.prUrl]);
  if (todo.lastError) lines.push(['last error', todo.lastError]);
  if (todo.result !== null && todo.result !== undefined) lines.push(['result', preview(todo.result)]);
  lines.push(['created', iso(todo.createdAt)], ['updated', iso(todo.updatedAt)]);
  const claims = history.map((attempt, i) => `  ${i + 1}. ${describeAttempt(attempt, now)}`);
  const story = `  (everything that happened to it: swarmtask events --todo ${todo.id})`;
  return `todo ${todo.id}\n${labelled(lines, '  ')}${claims.length > 0 ? `\n  claims\n${claims.join('\n')}` : ''}\n${story}`;
}

/** `claimed … by KEY (github) → failed after 4 s: error`, one line per claim. */
function describeAttempt(attempt: TodoAttempt, now: number): string {
  const who = `${attempt.stakingKey}${attempt.githubUsername ? ` (${attempt.githubUsername})` : ''}`;
  const start = `claimed ${iso(attempt.claimedAt)} by ${who}`;
  if (attempt.outcome === 'active') {
    return `${start}, working; lease ${attempt.leaseExpiresAt > now ? 'until' : 'expired'} ${iso(attempt.leaseExpiresAt)}`;
  }
  const took = attempt.endedAt === null ? '' : ` after ${formatWait(attempt.endedAt - attempt.claimedAt)}`;
  const error = attempt.error ? `: ${attempt.error.length > ERROR_CHARS ? `${attempt.error.slice(0, ERROR_CHARS)}…` : attempt.error}` : '';
  const pr = attempt.prUrl ? ` (${attempt.prUrl})` : '';
  return `${start} → ${attempt.outcome}${took}${pr}${error}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function preview(result: unknown): string {
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  return text.length <= RESULT_PREVIEW_CHARS ? text : `${text.slice(0, RESULT_PREVIEW_CHARS)}… (${text.length} characters; --json shows all)`;
}
