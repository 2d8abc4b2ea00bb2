import { fetchVerified } from '../../shared/ipfs/fetch-verified.js';
import { verifyPullRequest } from '../../server/github/index.js';
import { runSwarm, type ProviderRegistry } from '../../server/swarms/index.js';
import type { SubmissionRecord } from '../../shared/submission-schemas.js';
import type { SwarmSpec } from '../../shared/swarm-spec.js';
import type { WorkerClient } from '../worker-client.js';
import {
  checkLegacyRecord,
  isLegacyRecordBytes,
  checkAssignment,
  checkCidMatchesBytes,
  checkOutputBytes,
  checkSignedRecord,
  checkSwarmOutput,
  type AuditTask,
  type CheckResult,
} from './audit-checks.js';
import type { WorkerEvent } from './events.js';
import { describeError, isDefinitiveRefusal, type WorkerRpc } from './rpc.js';

/**
 * The audit stage: claim the audits assigned to this key, check each submission independently
 * (DESIGN §4) and cast a signed vote with a reason. Unlike the original, an error or a timeout
 * is never a pass: the vote is `reject` with the error as the reason.
 */

export interface Verdict {
  vote: 'approve' | 'reject';
  reason: string;
}

export interface JudgeInput {
  spec: SwarmSpec;
  output: unknown;
  record: SubmissionRecord;
}
/** An optional model's opinion of the answer. */
export type Judge = (input: JudgeInput, signal: AbortSignal) => Promise<{ approve: boolean; reason: string }>;

export interface VerifyContext {
  /** The task id records must name. */
  taskId: string;
  /** Reads a CID's bytes, verified block by block (fetchVerified through the coordinator's gateway). */
  readCid(cid: string, signal: AbortSignal): Promise<Uint8Array>;
  /** With a token, PRs are checked through the GitHub API; without, the check is skipped and the reason says so. */
  github?: { token: string; apiUrl?: string } | undefined;
  judge?: Judge | undefined;
  signal: AbortSignal;
}

const MAX_REASON = 2000;

function clip(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** Runs every check in order; the first failure decides. Throws only on fetch/transport errors. */
export async function verifySubmission(task: AuditTask, ctx: VerifyContext): Promise<Verdict> {
  const notes: string[] = [];
  const reject = (reason: string): Verdict => ({ vote: 'reject', reason: clip(reason) });
  const note = <T>(check: CheckResult<T>): check is { ok: true; note: string; value: T } => {
    if (check.ok) notes.push(check.note);
    return check.ok;
  };

  const recordBytes = await ctx.readCid(task.submission.submissionCid, ctx.signal);
  const recordCid = await checkCidMatchesBytes(task.submission.submissionCid, recordBytes, 'submission');
  if (!note(recordCid)) return reject(recordCid.reason);
  if (isLegacyRecordBytes(recordBytes)) return verifyLegacySubmission(task, ctx, recordBytes, notes);
  const signed = checkSignedRecord(recordBytes, task, { taskId: ctx.taskId });
  if (!note(signed)) return reject(signed.reason);
  const record = signed.value;
  const assignment = checkAssignment(task, record);
  if (!note(assignment)) return reject(assignment.reason);

  const outputBytes = await ctx.readCid(record.resultCid, ctx.signal);
  const outputCid = await checkCidMatchesBytes(record.resultCid, outputBytes, 'output');
  if (!note(outputCid)) return reject(outputCid.reason);
  const digest = checkOutputBytes(outputBytes, record);
  if (!note(digest)) return reject(digest.reason);
  const shape = checkSwarmOutput(task.todo.spec, digest.value);
  if (!note(shape)) return reject(shape.reason);

  const prUrl = record.prUrl ?? task.submission.prUrl ?? undefined;
  if (prUrl) {
    const repo = task.todo.repo;
    if (!repo) return reject(`submission names PR ${prUrl}, but the todo has no repository`);
    if (!record.githubUsername) return reject(`submission names PR ${prUrl} but no GitHub user`);
    if (ctx.github) {
      const pr = await verifyPullRequest({
        token: ctx.github.token,
        ...(ctx.github.apiUrl ? { baseUrl: ctx.github.apiUrl } : {}),
        prUrl,
        expected: { owner: repo.owner, name: repo.name, githubUsername: record.githubUsername, submissionCid: task.submission.submissionCid },
        signal: ctx.signal,
      });
      if (!pr.ok) return reject(`PR check failed (${pr.code}): ${pr.reason}`);
      notes.push(`PR #${pr.pr.number} by ${pr.pr.author} carries the CID`);
    } else {
      notes.push('PR not checked: no GitHub token configured');
    }
  }

  if (ctx.judge) {
    const opinion = await ctx.judge({ spec: task.todo.spec, output: digest.value, record }, ctx.signal);
    if (!opinion.approve) return reject(`judge model: ${opinion.reason}`);
    notes.push(`judge model: ${opinion.reason}`);
  }
  return { vote: 'approve', reason: clip(`all checks passed: ${notes.join('; ')}`) };
}

/** A Koii worker's submission: its signed PR claim, then the PR itself (it carries no CID of ours). */
async function verifyLegacySubmission(task: AuditTask, ctx: VerifyContext, recordBytes: Uint8Array, notes: string[]): Promise<Verdict> {
  const reject = (reason: string): Verdict => ({ vote: 'reject', reason: clip(reason) });
  const legacy = checkLegacyRecord(recordBytes, task, { taskId: ctx.taskId });
  if (!legacy.ok) return reject(legacy.reason);
  notes.push(legacy.note);
  const repo = task.todo.repo;
  if (!repo) return reject('legacy submission for a todo without a repository');
  if (!legacy.value.githubUsername) return reject('legacy submission names no GitHub user');
  if (ctx.github) {
    const pr = await verifyPullRequest({
      token: ctx.github.token,
      ...(ctx.github.apiUrl ? { baseUrl: ctx.github.apiUrl } : {}),
      prUrl: legacy.value.prUrl,
      expected: { owner: repo.owner, name: repo.name, githubUsername: legacy.value.githubUsername, submissionCid: null },
      signal: ctx.signal,
    });
    if (!pr.ok) return reject(`PR check failed (${pr.code}): ${pr.reason}`);
    notes.push(`PR #${pr.pr.number} by ${pr.pr.author} exists`);
  } else {
    notes.push('PR not checked: no GitHub token configured');
  }
  return { vote: 'approve', reason: clip(`all checks passed: ${notes.join('; ')}`) };
}

/**
 * A judge on the node's own models: one agent reads the task and the final answer and replies
 * APPROVE or REJECT. No clear verdict is a reject.
 */
export function createModelJudge(providers: ProviderRegistry, model: string): Judge {
  return async ({ spec, output }, signal) => {
    const final = typeof (output as { final?: unknown }).final === 'string' ? (output as { final: string }).final : JSON.stringify(output);
    const result = await runSwarm(
      {
        name: 'Audit judge',
        agents: [
          {
            agent_name: 'Judge',
            model_name: model,
            system_prompt:
              'You audit answers produced by an AI swarm. Reply with APPROVE or REJECT on the first line, then one sentence saying why. ' +
              'Approve an answer that addresses the task in earnest; reject one that is empty, off-topic or evasive.',
            max_loops: 1,
            max_tokens: 300,
            temperature: 0,
            role: 'worker',
          },
        ],
        swarm_type: 'SequentialWorkflow',
        max_loops: 1,
        return_history: false,
        task: `Task:\n${spec.task}\n\nAnswer:\n${final.slice(0, 20_000)}`,
      },
      { providers, signal },
    );
    const text = result.final.trim();
    const verdict = /^\W*(APPROVE|REJECT)\b/i.exec(text)?.[1]?.toUpperCase();
    const why = text.split('\n').slice(1).join(' ').trim().slice(0, 300) || text.slice(0, 300);
    if (verdict === 'APPROVE') return { approve: true, reason: why || 'approved' };
    return { approve: false, reason: verdict === 'REJECT' ? why || 'rejected' : `no APPROVE/REJECT verdict in "${text.slice(0, 120)}"` };
  };
}

export interface AuditorOptions {
  rpc: WorkerRpc;
  client: WorkerClient;
  /** Base URL of the trustless gateway (the coordinator serves `/ipfs/{cid}`). */
  gatewayUrl: string;
  emit: (event: WorkerEvent) => void;
  github?: { token: string; apiUrl?: string } | undefined;
  judge?: Judge | undefined;
  /** How often to ask for assignments besides the `audit.assigned` events (default 5000 ms). */
  pollMs?: number;
  /** Longest verification of one submission (default 60 000 ms; never past the audit's due time). */
  verifyTimeoutMs?: number;
}

/** Claims audits, verifies, votes. Votes that fail to send are retried while the audit is open. */
export class Auditor {
  private timer: NodeJS.Timeout | undefined;
  private subscription: { unsubscribe(): void } | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Verdicts reached but not yet delivered (auditId → verdict). */
  private readonly verdicts = new Map<number, Verdict & { submissionId: number; dueAt: number }>();
  private readonly active = new Map<number, Promise<void>>();
  private readonly stopController = new AbortController();

  constructor(private readonly options: AuditorOptions) {}

  /** An audit is being checked, or its vote waits to be cast. */
  get busy(): boolean {
    return this.active.size > 0 || this.verdicts.size > 0;
  }

  start(): void {
    this.stopped = false;
    const pollMs = this.options.pollMs ?? 5000;
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.subscribe();
    this.kick();
  }

  private subscribe(): void {
    if (this.stopped) return;
    const me = this.options.rpc.stakingKey;
    this.subscription = this.options.client.trpc.audits.onEvent.subscribe(
      { lastEventId: null },
      {
        onData: (tracked) => {
          const event = tracked.data as { type?: string; data?: { auditorKey?: string } };
          if (event.type === 'audit.assigned' && event.data?.auditorKey === me) this.kick();
        },
        onError: (error) => {
          this.options.emit({ type: 'error', stage: 'subscribe', message: `audit events: ${describeError(error)}` });
          this.subscription = undefined;
          setTimeout(() => this.subscribe(), this.options.pollMs ?? 5000).unref();
        },
      },
    );
  }

  kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.emit({ type: 'error', stage: 'audit', message: describeError(error) }))
      .finally(() => {
        this.ticking = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops claiming; verifications under way get until `deadline`, then are cut off (a cut-off audit casts no vote). */
  async stop(deadline = Date.now()): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    const cut = setTimeout(() => this.stopController.abort(new Error('worker stopping')), Math.max(0, deadline - Date.now()));
    try {
      await Promise.allSettled([this.ticking, ...this.active.values()]);
    } finally {
      clearTimeout(cut);
    }
  }

  private async tick(): Promise<void> {
    // Verdicts whose audit closed without our vote getting through are of no use any more.
    const coordinatorNow = this.options.client.clock.now();
    for (const [auditId, verdict] of this.verdicts) if (verdict.dueAt < coordinatorNow) this.verdicts.delete(auditId);
    const tasks = await this.options.rpc.call('audits.claim', { max: 10 }, { signal: this.stopController.signal });
    for (const task of tasks) {
      if (this.stopped) return;
      if (this.active.has(task.auditId)) continue;
      const run = this.audit(task).finally(() => this.active.delete(task.auditId));
      this.active.set(task.auditId, run);
    }
  }

  private async audit(task: AuditTask): Promise<void> {
    const { emit } = this.options;
    let verdict = this.verdicts.get(task.auditId);
    if (!verdict) {
      const decided = await this.verify(task);
      if (this.stopController.signal.aborted) return; // cut off by stop(): no verdict at all
      verdict = { ...decided, submissionId: task.submission.id, dueAt: task.dueAt };
      this.verdicts.set(task.auditId, verdict);
      emit({
        type: 'audited',
        auditId: task.auditId,
        submissionId: task.submission.id,
        todoId: task.submission.todoId,
        submitter: task.submission.stakingKey,
        vote: verdict.vote,
        reason: verdict.reason,
      });
    }
    try {
      await this.options.rpc.call('audits.vote', { auditId: task.auditId, vote: verdict.vote, reason: verdict.reason });
      this.verdicts.delete(task.auditId);
      emit({ type: 'voted', auditId: task.auditId, submissionId: task.submission.id, vote: verdict.vote });
    } catch (error) {
      // Kept for the next claim while the audit is still open; a refusal (closed, past due) ends it.
      if (isDefinitiveRefusal(error)) this.verdicts.delete(task.auditId);
      emit({ type: 'error', stage: 'vote', auditId: task.auditId, message: describeError(error) });
    }
  }

  private async verify(task: AuditTask): Promise<Verdict> {
    const limitMs = Math.max(1000, Math.min(this.options.verifyTimeoutMs ?? 60_000, task.dueAt - this.options.client.clock.now() - 1000));
    const signal = AbortSignal.any([this.stopController.signal, AbortSignal.timeout(limitMs)]);
    const gateway = this.options.gatewayUrl;
    try {
      return await verifySubmission(task, {
        taskId: this.options.rpc.taskId,
        readCid: (cid, s) => fetchVerified(gateway, cid, { signal: s }),
        github: this.options.github,
        judge: this.options.judge,
        signal,
      });
    } catch (error) {
      if (signal.aborted && !this.stopController.signal.aborted) {
        return { vote: 'reject', reason: `audit timed out after ${Math.round(limitMs / 1000)} s: ${describeError(error)}` };
      }
      return { vote: 'reject', reason: clip(`audit could not be completed: ${describeError(error)}`) };
    }
  }
}
