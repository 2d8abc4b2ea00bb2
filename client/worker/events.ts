import { formatSwarms } from '../../shared/swarms-units.js';
import { EMBEDDED_DEFAULT_MODEL_MAP } from '../../server/llm/model-map.js';
import { describePin, type PinSource } from './coordinator-pin.js';
import { formatUsd, type SwarmBudget } from '../../server/swarms/run-budget.js';
import { describeSpendLimit, type SpendLimitOptions } from './spend-limit.js';
import { describeClaimFilter } from './claim-filter.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';

/**
 * What a worker reports as it goes: one event per step of the Koii-style stages (task →
 * submission → audit). `createWorker({ onEvent })` receives them; the CLI prints them as concise
 * human lines on a TTY or as one JSON object per line (`{"type":…,"time":…,…}`) otherwise.
 */
export type WorkerEvent =
  | { type: 'started'; stakingKey: string; server: string; taskId: string; concurrency: number; audits: boolean; models: string; budget?: SwarmBudget; spendLimit?: SpendLimitOptions; claimFilter?: ClaimFilter }
  | { type: 'coordinator_key_pinned'; taskId: string; key: string; source: PinSource; previous: string | null }
  | { type: 'registered'; stakingKey: string; githubUsername: string | null; stake: number | null }
  | { type: 'awaiting_stake'; stakingKey: string; stake: number; minStake: number }
  | { type: 'connected' }
  /** The coordinator refused a stale timestamp: from now on this worker signs with the coordinator's time, `offsetMs` ahead of its own. */
  | { type: 'clock_offset'; offsetMs: number }
  | { type: 'outbox_resumed'; pending: number }
  | { type: 'disconnected'; refusal?: string }
  | { type: 'claimed'; todoId: number; attempt: number; swarmType: string; name: string | null; leaseExpiresAt: number }
  | { type: 'ran'; todoId: number; swarmType: string; messages: number; inputTokens: number; outputTokens: number; seconds: number; status: string }
  | { type: 'pr'; todoId: number; prUrl: string }
  | { type: 'stored'; todoId: number; round: number; resultCid: string; submissionCid: string; prUrl: string | null }
  | { type: 'reported'; todoId: number; submissionCid: string; note?: string }
  | { type: 'submitted'; todoId: number; round: number; submissionCid: string; submissionId: number }
  | { type: 'submission_dropped'; todoId: number; submissionCid: string; reason: string }
  | { type: 'failed'; todoId: number; error: string; reported: boolean; lastAttempt?: boolean }
  | { type: 'lease_lost'; todoId: number }
  | { type: 'declined'; todoId: number; reason: string }
  | { type: 'claims_paused'; since: number }
  | { type: 'claims_resumed' }
  | { type: 'payout_verified'; round: number; cid: string; amount: number }
  | { type: 'payout_invalid'; round: number; cid: string; problems: string[] }
  | { type: 'released'; todoIds: number[]; reason?: string }
  | { type: 'spend_paused'; costUsd: number; tokens: number; limit: string; until: number }
  | { type: 'spend_resumed' }
  | {
      type: 'audited';
      auditId: number;
      submissionId: number;
      todoId: number;
      submitter: string;
      vote: 'approve' | 'reject';
      reason: string;
    }
  | { type: 'voted'; auditId: number; submissionId: number; vote: 'approve' | 'reject' }
  | { type: 'error'; stage: WorkerStage; message: string; todoId?: number; auditId?: number; /** Times the same error was held back since it was last shown. */ repeated?: number }
  | { type: 'idle'; idleMs: number }
  | { type: 'stopping'; leasesHeld: number; graceMs: number }
  | { type: 'stopped'; pendingSubmissions: number };

export type WorkerStage = 'register' | 'claim' | 'subscribe' | 'heartbeat' | 'run' | 'store' | 'github' | 'report' | 'submit' | 'audit' | 'vote' | 'release' | 'status' | 'payout';

export type WorkerEventType = WorkerEvent['type'];

/** The JSON line for an event: the event's fields plus `time` (ISO-8601). */
export function eventJsonLine(event: WorkerEvent, now = new Date()): string {
  const { type, ...fields } = event;
  return JSON.stringify({ type, time: now.toISOString(), ...fields });
}

/** "50 model calls, 200,000 tokens, $0.50". */
export function describeBudget(budget: SwarmBudget): string {
  const parts: string[] = [];
  if (budget.maxCalls !== undefined) parts.push(`${budget.maxCalls.toLocaleString('en-US')} model calls`);
  if (budget.maxTokens !== undefined) parts.push(`${budget.maxTokens.toLocaleString('en-US')} tokens`);
  if (budget.maxCostUsd !== undefined) parts.push(formatUsd(budget.maxCostUsd));
  return parts.join(', ');
}

/** "this machine's clock is 600 s behind the coordinator's" (`offsetMs`: how far the coordinator's is ahead). */
export function describeClockOffset(offsetMs: number): string {
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  return `this machine's clock is ${seconds} s ${offsetMs > 0 ? 'behind' : 'ahead of'} the coordinator's`;
}

const short = (text: string, n = 16) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** One concise human line per event (null for events not worth a line). */
export function describeWorkerEvent(event: WorkerEvent): string | null {
  switch (event.type) {
    case 'started':
      return (
        `worker ${short(event.stakingKey, 8)} on ${event.server} (task ${event.taskId}, concurrency ${event.concurrency}${event.audits ? ', auditing' : ''}; ` +
        (event.models === EMBEDDED_DEFAULT_MODEL_MAP
          ? `models ${event.models}: the offline model writes placeholder answers, set --model-map / SWARMTASK_MODEL_MAP for real ones)`
          : `models ${event.models})`) +
        (event.budget ? `; per todo at most ${describeBudget(event.budget)}` : '') +
        (event.spendLimit ? `; at most ${describeSpendLimit(event.spendLimit)}` : '') +
        (event.claimFilter ? `; takes only ${describeClaimFilter(event.claimFilter)}` : '')
      );
    case 'coordinator_key_pinned':
      return describePin(event.taskId, event);
    case 'registered':
      return `registered${event.githubUsername ? ` as GitHub user ${event.githubUsername}` : ''}${event.stake !== null ? `, stake ${formatSwarms(event.stake)}` : ''}`;
    case 'awaiting_stake':
      return (
        `staking key ${event.stakingKey} has stake ${formatSwarms(event.stake)}; this coordinator needs ${formatSwarms(event.minStake)} before it hands out work. ` +
        `Waiting; its operator runs: swarmtask stake set ${event.stakingKey} ${event.minStake}`
      );
    case 'connected':
      return 'connected to the coordinator';
    case 'clock_offset':
      return `${describeClockOffset(event.offsetMs)}; signing with the coordinator's time instead. Set this machine to keep time (NTP: timedatectl set-ntp true)`;
    case 'outbox_resumed':
      return `${event.pending} ${event.pending === 1 ? 'result' : 'results'} from an earlier run still to report or submit: sending ${event.pending === 1 ? 'it' : 'them'} now (swarmtask outbox lists them)`;
    case 'disconnected':
      return event.refusal
        ? `the coordinator refused the connection: ${event.refusal}; retrying`
        : 'lost the connection to the coordinator; retrying';
    case 'claimed':
      return `todo ${event.todoId} claimed: ${event.name ?? 'swarm'} (${event.swarmType}, attempt ${event.attempt})`;
    case 'ran':
      return `todo ${event.todoId} swarm ${event.status} in ${event.seconds < 1 ? `${Math.round(event.seconds * 1000)} ms` : `${event.seconds.toFixed(1)} s`}: ${event.messages} ${event.messages === 1 ? 'message' : 'messages'}, ${event.inputTokens}+${event.outputTokens} tokens`;
    case 'pr':
      return `todo ${event.todoId} pull request ${event.prUrl}`;
    case 'stored':
      return `todo ${event.todoId} output ${short(event.resultCid)} and signed record ${short(event.submissionCid)} on IPFS (round ${event.round})`;
    case 'reported':
      return `todo ${event.todoId} result reported${event.note ? ` (${event.note})` : ''}`;
    case 'submitted':
      return `todo ${event.todoId} submission ${short(event.submissionCid)} accepted for round ${event.round}`;
    case 'submission_dropped':
      return `todo ${event.todoId} submission ${short(event.submissionCid)} dropped: ${event.reason}`;
    case 'failed':
      return `todo ${event.todoId} failed: ${event.error}${event.lastAttempt ? ' (its last attempt: the todo is failed)' : event.reported ? ' (back in the queue)' : ''}`;
    case 'declined':
      return `todo ${event.todoId} declined, nothing spent: ${event.reason} (back in the queue for another node)`;
    case 'lease_lost':
      return `todo ${event.todoId} lease lost; dropping the work`;
    case 'claims_paused':
      return `the coordinator's operator paused claims at ${new Date(event.since).toISOString()}: finishing what is held, then waiting (nothing is wrong here)`;
    case 'claims_resumed':
      return 'the coordinator hands out work again';
    case 'payout_verified':
      return `round ${event.round} payout list verified (signed by the coordinator, CID checked): it pays this key ${formatSwarms(event.amount)}`;
    case 'payout_invalid':
      return `WARNING: round ${event.round} payout list ${event.cid} does NOT verify: ${event.problems.join('; ')}`;
    case 'released':
      return `released ${event.todoIds.length === 1 ? 'todo' : 'todos'} ${event.todoIds.join(', ')} back to the queue${event.reason ? `: ${event.reason}` : ''}`;
    case 'spend_paused':
      return (
        `spent ${formatUsd(event.costUsd)} and ${event.tokens.toLocaleString('en-US')} tokens on models, this node's limit is ${event.limit}: ` +
        `no new work until ${new Date(event.until).toISOString()} (what is held is finished)`
      );
    case 'spend_resumed':
      return "back under this node's spending limit: taking work again";
    case 'audited':
      return `audit ${event.auditId} (todo ${event.todoId} by ${short(event.submitter, 8)}): ${event.vote} — ${short(event.reason, 120)}`;
    case 'voted':
      return null;
    case 'error':
      return (
        `error in ${event.stage}${event.todoId !== undefined ? ` (todo ${event.todoId})` : ''}${event.auditId !== undefined ? ` (audit ${event.auditId})` : ''}: ${event.message}` +
        (event.repeated ? ` (again; ${event.repeated} more like it not shown since the last time)` : '')
      );
    case 'idle':
      return `nothing to do for ${Math.round(event.idleMs / 1000)} s (no todo held, no audit under way, nothing left to submit): stopping (--exit-when-idle)`;
    case 'stopping':
      return `stopping: no new claims; ${event.leasesHeld} running, up to ${Math.round(event.graceMs / 1000)} s to finish`;
    case 'stopped':
      return `stopped${event.pendingSubmissions > 0 ? ` (${event.pendingSubmissions} submissions kept for the next start)` : ''}`;
  }
}
