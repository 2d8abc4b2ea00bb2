import { PauseWatch } from './pause-watch.js';
import { publishPullRequest, renderSwarmOutputMarkdown, updatePullRequestBody, type SwarmOutputLike } from '../github/index.js';
import { htmlBaseUrlForApi } from '../../shared/github/pr-url.js';
import type { Keypair } from '../../shared/keypair.js';
import type { SubmissionRecord } from '../../shared/submission-schemas.js';
import { whyDecline } from './fit-check.js';
import { meteredRun, SpendLimitReached } from './metered-run.js';
import type { SpendLedger } from './spend-ledger.js';
import { SpendWatch, type SpendLimit } from './spend-limit.js';
import { BudgetExceededError, describeOverrun, type ProviderRegistry, type SwarmBudget, type SwarmResult } from '../../server/swarms/index.js';
import type { SignedOutput } from '../signed-calls.js';
import type { WorkerClient } from '../worker-client.js';
import type { WorkerEvent } from './events.js';
import { pause, retryDelayMs, type RetryPolicy } from './retry.js';
import { describeError, type WorkerRpc } from './rpc.js';
import { encodeSignedSubmission, sha256Hex, signSubmissionRecord } from './submission-record.js';
import type { StoredSubmission, SubmissionStore } from './submission-store.js';
import { reportStoredResult, type SubmissionSender } from './submission.js';
import { hasClaimFilter, mayMatchClaimFilter } from './claim-filter.js';
import { ClaimHold } from './claim-hold.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';
import { DEFAULT_SWARM_TYPE } from '../../shared/swarm-spec.js';

/**
 * The task stage: hear about available todos (`todos.onAvailable`, resumed after disconnects)
 * and also poll, claim up to the free capacity, keep the leases alive, run each swarm locally on
 * the node's own models, put the output and the signed submission record on IPFS (and open the
 * PR for a repository todo), store the submission in the outbox, and report the result — or, on
 * any error, report the failure at once so the todo goes back to the queue.
 */

export type ClaimedTodo = SignedOutput<'todos.claim'>[number];

type Phase = 'running' | 'storing' | 'reporting';

interface Job {
  todo: ClaimedTodo;
  controller: AbortController;
  phase: Phase;
  /** Lease length as granted (heartbeats run every third of it). */
  leaseMs: number;
  leaseExpiresAt: number;
  leaseLost: boolean;
  /** Set by stop(): the lease is handed back, so the job must neither report nor fail it. */
  releasing: boolean;
  done: Promise<void>;
}

export interface GitHubAccess {
  token: string;
  /** REST API root (default https://api.github.com; `{host}/api/v3` for GitHub Enterprise). */
  apiUrl?: string | undefined;
}

export interface TaskRunnerOptions {
  rpc: WorkerRpc;
  client: WorkerClient;
  keypair: Keypair;
  store: SubmissionStore;
  sender: SubmissionSender;
  providers: ProviderRegistry;
  emit: (event: WorkerEvent) => void;
  /** Todos run at once (1..100). */
  concurrency: number;
  githubUsername?: string | undefined;
  github?: GitHubAccess | undefined;
  /** Main wallet public key, carried in records as `pubKey` (informational, as upstream). */
  mainWalletKey?: string | undefined;
  /** Claim poll besides the events (default 5000 ms). */
  pollIntervalMs?: number;
  retry?: RetryPolicy;
  /** Where what each run spent is recorded. */
  spendLedger?: SpendLedger | undefined;
  /** The node's spending limit per day: no claims while it is reached, and each run capped at what is left. */
  spendLimit?: SpendLimit | undefined;
  /** What one todo's swarm may spend on models (this node pays for them); unlimited by default. */
  budget?: SwarmBudget | undefined;
  /** The work this node takes (minimum reward, swarm types), sent with each claim; default any. */
  claimFilter?: ClaimFilter | undefined;
}

const utf8 = new TextEncoder();
/** Characters of `final` carried in the result report (the full output is on IPFS). */
const MAX_REPORTED_FINAL = 64 * 1024;

class StopError extends Error {
  constructor() {
    super('worker stopping');
    this.name = 'StopError';
  }
}

class LeaseLostError extends Error {
  constructor(todoId: number) {
    super(`lease on todo ${todoId} lost`);
    this.name = 'LeaseLostError';
  }
}

/** The PR description: carries the result CID and, once it exists, the submission CID. */
export function pullRequestBody(todo: { todoId: number; spec: { name?: string | undefined; swarm_type?: string | undefined } }, stakingKey: string, resultCid: string, submissionCid: string | null): string {
  return [
    `Output of swarmtask todo ${todo.todoId}: ${todo.spec.name ?? 'swarm'} (${todo.spec.swarm_type ?? DEFAULT_SWARM_TYPE}).`,
    '',
    `Submission CID: ${submissionCid ?? '(pending)'}`,
    `Result CID: ${resultCid}`,
    `Staking key: ${stakingKey}`,
    '',
    'The submission CID names the signed record on IPFS; auditors check it against this pull request.',
    '',
  ].join('\n');
}

export class TaskRunner {
  private readonly running = new Map<number, Job>();
  private stopping = false;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private subscription: { unsubscribe(): void } | undefined;
  /** Cuts a claim still waiting for its answer when the stop deadline passes. */
  private readonly claimAbort = new AbortController();
  private readonly pauseWatch: PauseWatch;
  private readonly spendWatch: SpendWatch;
  private readonly claimHold = new ClaimHold(() => this.fill());

  constructor(private readonly options: TaskRunnerOptions) {
    this.pauseWatch = new PauseWatch(options.rpc, options.emit);
    this.spendWatch = new SpendWatch(options.spendLimit, options.emit);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 100) {
      throw new Error(`concurrency must be an integer 1..100, got ${options.concurrency}`);
    }
  }

  /** When the coordinator paused claims, while it has (null otherwise, or not yet known). */
  get claimsPausedSince(): number | null {
    return this.pauseWatch.since;
  }

  /** Until when the node waits for its spending limit, while it does (null otherwise). */
  get spendPausedUntil(): number | null {
    return this.spendWatch.pausedUntil;
  }

  /** Until when the coordinator asked this node to hold its claims (a refusal's Retry-After); null otherwise. */
  get claimsHeldUntil(): number | null {
    return this.claimHold.until;
  }

  /** Leases this worker holds right now. */
  get leasesHeld(): number {
    return this.running.size;
  }

  runningTodoIds(): number[] {
    return [...this.running.keys()];
  }

  start(): void {
    this.stopping = false;
    this.subscribe();
    const pollMs = this.options.pollIntervalMs ?? 5000;
    this.pollTimer = setInterval(() => this.fill(), pollMs);
    this.pollTimer.unref();
    this.fill();
  }

  private subscribe(): void {
    if (this.stopping) return;
    this.subscription = this.options.client.trpc.todos.onAvailable.subscribe(
      { lastEventId: null },
      {
        // An announced todo this node would not take is not worth a claim call.
        onData: (event) => {
          const filter = this.options.claimFilter;
          if (!hasClaimFilter(filter) || mayMatchClaimFilter(filter, event.data)) this.fill();
        },
        onError: (error) => {
          this.options.emit({ type: 'error', stage: 'subscribe', message: `todo events: ${describeError(error)}` });
          this.subscription = undefined;
          setTimeout(() => this.subscribe(), this.options.pollIntervalMs ?? 5000).unref();
        },
      },
    );
  }

  /** Claims up to the free capacity (again, if asked while a claim is under way). */
  fill(): void {
    if (this.stopping || this.claimHold.until !== null) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimLoop()
      .catch((error: unknown) => {
        if (this.stopping) return;
        this.claimHold.afterRefusal(error);
        this.options.emit({ type: 'error', stage: 'claim', message: describeError(error) });
      })
      .finally(() => {
        this.claiming = undefined;
        if (this.claimAgain && !this.stopping) {
          this.claimAgain = false;
          this.fill();
        }
      });
  }

  private async claimLoop(): Promise<void> {
    const { rpc, githubUsername, concurrency } = this.options;
    do {
      this.claimAgain = false;
      for (;;) {
        const free = concurrency - this.running.size;
        if (free <= 0 || this.stopping || this.spendWatch.paused()) return;
        const claimed = await rpc.call('todos.claim', { max: free, ...(githubUsername ? { githubUsername } : {}), ...this.options.claimFilter }, { signal: this.claimAbort.signal });
        if (this.stopping) {
          // Claimed while stopping: never started, so handed straight back.
          await this.release(claimed);
          return;
        }
        this.pauseWatch.afterClaim(claimed.length);
        for (const todo of claimed) this.startJob(todo);
        if (claimed.length < free) break;
      }
    } while (this.claimAgain && !this.stopping);
  }

  private startJob(todo: ClaimedTodo): void {
    // The lease's end is on the coordinator's clock; the job's own deadline below is on this machine's.
    const leaseMs = Math.max(1000, todo.leaseExpiresAt - this.options.client.clock.now());
    const job: Job = {
      todo,
      controller: new AbortController(),
      phase: 'running',
      leaseMs,
      leaseExpiresAt: Date.now() + leaseMs,
      leaseLost: false,
      releasing: false,
      done: Promise.resolve(),
    };
    this.running.set(todo.todoId, job);
    this.options.emit({
      type: 'claimed',
      todoId: todo.todoId,
      attempt: todo.attempt,
      swarmType: todo.spec.swarm_type ?? DEFAULT_SWARM_TYPE,
      name: todo.spec.name ?? null,
      leaseExpiresAt: todo.leaseExpiresAt,
    });
    job.done = this.runJob(job)
      .catch((error: unknown) => this.options.emit({ type: 'error', stage: 'run', todoId: todo.todoId, message: describeError(error) }))
      .finally(() => {
        this.running.delete(todo.todoId);
        this.scheduleHeartbeat();
        this.fill();
      });
    this.scheduleHeartbeat();
  }

  // -------------------------------------------------------------------------------------------
  // Leases
  // -------------------------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (this.running.size === 0) return;
    const leaseMs = Math.min(...[...this.running.values()].map((job) => job.leaseMs));
    const intervalMs = Math.max(100, Math.floor(leaseMs / 3));
    this.heartbeatTimer = setTimeout(() => {
      void this.heartbeat(intervalMs).finally(() => this.scheduleHeartbeat());
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(timeoutMs: number): Promise<void> {
    const jobs = [...this.running.values()].filter((job) => !job.leaseLost);
    if (jobs.length === 0) return;
    try {
      const outcomes = await this.options.rpc.call(
        'todos.heartbeat',
        { leases: jobs.map((job) => ({ todoId: job.todo.todoId, leaseToken: job.todo.leaseToken })) },
        { timeoutMs: Math.max(1000, timeoutMs) },
      );
      for (const outcome of outcomes) {
        const job = this.running.get(outcome.todoId);
        if (!job) continue;
        if (outcome.ok) {
          // The coordinator's deadline, moved onto this machine's clock like the first one.
          if (outcome.leaseExpiresAt !== undefined) job.leaseExpiresAt = this.options.client.clock.toLocal(outcome.leaseExpiresAt);
          continue;
        }
        job.leaseLost = true;
        // While reporting, LEASE_LOST may just mean our own report landed: the report settles it.
        if (job.phase !== 'reporting') job.controller.abort(new LeaseLostError(job.todo.todoId));
      }
    } catch (error) {
      this.options.emit({ type: 'error', stage: 'heartbeat', message: describeError(error) });
    }
  }

  // -------------------------------------------------------------------------------------------
  // One todo
  // -------------------------------------------------------------------------------------------

  private async runJob(job: Job): Promise<void> {
    const { todo } = job;
    let entry: StoredSubmission;
    try {
      const declineReason = whyDecline(todo.spec, this.options.providers, this.options.budget);
      if (declineReason !== null) {
        await this.decline(job, declineReason);
        return;
      }
      const started = performance.now();
      const result = await meteredRun(todo.spec, {
        todoId: todo.todoId,
        providers: this.options.providers,
        signal: job.controller.signal,
        perTodo: this.options.budget,
        ledger: this.options.spendLedger,
        limit: this.options.spendLimit,
      });
      job.controller.signal.throwIfAborted();
      this.options.emit({
        type: 'ran',
        todoId: todo.todoId,
        swarmType: result.swarm_type,
        messages: result.output.length,
        inputTokens: result.usage.input_tokens,
        outputTokens: result.usage.output_tokens,
        seconds: Math.round(performance.now() - started) / 1000, // whole milliseconds: no float noise in event lines
        status: result.status,
      });
      job.phase = 'storing';
      entry = await this.prove(job, result);
    } catch (error) {
      if (job.releasing) return;
      if (job.leaseLost) {
        this.options.emit({ type: 'lease_lost', todoId: todo.todoId });
        return;
      }
      if (error instanceof SpendLimitReached) {
        // The node's day is spent, not the todo's fault: handed back whole, for any node (this one too, later).
        await this.release([todo], error.message);
        return;
      }
      // Over budget: back to the queue for a node that will spend more on it (this key never gets it again).
      await this.fail(job, error instanceof BudgetExceededError ? `over this node's budget per todo: ${describeOverrun(error.overrun)}` : describeError(error));
      return;
    }
    await this.report(job, entry);
  }

  /** Output and signed record on IPFS (and the PR), then the outbox entry. */
  private async prove(job: Job, result: SwarmResult): Promise<StoredSubmission> {
    const { rpc, keypair, github, githubUsername, store, sender, emit } = this.options;
    const { todo } = job;
    const signal = job.controller.signal;
    const outputText = JSON.stringify(result);
    const outputBytes = utf8.encode(outputText);
    const resultCid = await rpc.storeBytes(outputBytes, { signal });
    const { number: round } = await rpc.currentRound({ signal });

    const prTarget = todo.repo && github && githubUsername ? { repo: todo.repo, github, githubUsername } : undefined;
    const htmlBaseUrl = prTarget?.github.apiUrl ? htmlBaseUrlForApi(prTarget.github.apiUrl) : undefined;
    let prUrl: string | undefined;
    if (prTarget) {
      try {
        const published = await publishPullRequest({
          token: prTarget.github.token,
          ...(prTarget.github.apiUrl ? { baseUrl: prTarget.github.apiUrl } : {}),
          upstream: prTarget.repo,
          githubUsername: prTarget.githubUsername,
          branchName: `swarmtask/todo-${todo.todoId}-${keypair.publicKeyBase58.slice(0, 8)}`,
          filePath: `swarmtask/todo-${todo.todoId}.md`,
          // Rendered from the stored JSON, so the PR shows exactly what is on IPFS.
          markdown: renderSwarmOutputMarkdown(JSON.parse(outputText) as SwarmOutputLike),
          title: `swarmtask: ${todo.spec.name ?? 'swarm output'} (todo ${todo.todoId})`,
          body: pullRequestBody(todo, keypair.publicKeyBase58, resultCid, null),
          signal,
        });
        prUrl = published.prUrl;
      } catch (error) {
        throw new Error(`GitHub: ${describeError(error)}`);
      }
      emit({ type: 'pr', todoId: todo.todoId, prUrl });
    }

    const record: SubmissionRecord = {
      taskId: rpc.taskId,
      todoId: todo.todoId,
      round,
      stakingKey: keypair.publicKeyBase58,
      ...(this.options.mainWalletKey ? { pubKey: this.options.mainWalletKey } : {}),
      resultCid,
      ...(prUrl ? { prUrl } : {}),
      ...(githubUsername ? { githubUsername } : {}),
      outputSha256: sha256Hex(outputBytes),
      usage: { inputTokens: result.usage.input_tokens, outputTokens: result.usage.output_tokens },
    };
    const submissionCid = await rpc.storeBytes(encodeSignedSubmission(signSubmissionRecord(record, keypair)), { signal });

    if (prTarget && prUrl) {
      try {
        await updatePullRequestBody({
          token: prTarget.github.token,
          ...(prTarget.github.apiUrl ? { baseUrl: prTarget.github.apiUrl } : {}),
          ...(htmlBaseUrl ? { htmlBaseUrl } : {}),
          prUrl,
          body: pullRequestBody(todo, keypair.publicKeyBase58, resultCid, submissionCid),
          submissionCid,
          signal,
        });
      } catch (error) {
        throw new Error(`GitHub: ${describeError(error)}`);
      }
    }
    signal.throwIfAborted();

    // From here on the work is durable: in the outbox before anything is reported.
    job.phase = 'reporting';
    const entry = store.add({
      stakingKey: keypair.publicKeyBase58,
      taskId: rpc.taskId,
      todoId: todo.todoId,
      leaseToken: todo.leaseToken,
      round,
      resultCid,
      submissionCid,
      prUrl: prUrl ?? null,
      // The whole output is on IPFS; the report carries the answer (bounded to stay under body limits).
      result: { resultCid, submissionCid, final: result.final.length > MAX_REPORTED_FINAL ? `${result.final.slice(0, MAX_REPORTED_FINAL)}…` : result.final },
    });
    sender.own(entry.id);
    emit({ type: 'stored', todoId: todo.todoId, round, resultCid, submissionCid, prUrl: prUrl ?? null });
    return entry;
  }

  /**
   * Reports the result while the lease lasts, retrying transient failures; then hands the entry
   * to the sender, which submits it (or, if the report never got through, keeps trying to).
   */
  private async report(job: Job, entry: StoredSubmission): Promise<void> {
    const { store, rpc, sender, emit } = this.options;
    const todoId = job.todo.todoId;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await reportStoredResult(store, rpc, entry, job.controller.signal);
          if (outcome.outcome === 'reported') {
            emit({ type: 'reported', todoId, submissionCid: entry.submissionCid, ...(outcome.note ? { note: outcome.note } : {}) });
          } else if (outcome.outcome === 'lease_lost') {
            emit({ type: 'lease_lost', todoId });
          } else {
            emit({ type: 'submission_dropped', todoId, submissionCid: entry.submissionCid, reason: outcome.reason });
            await this.fail(job, outcome.reason);
          }
          return;
        } catch (error) {
          emit({ type: 'error', stage: 'report', todoId, message: describeError(error) });
          // Out of lease or stopping: the entry stays in the outbox for the sender.
          if (job.controller.signal.aborted || this.stopping || Date.now() >= job.leaseExpiresAt) return;
          await pause(retryDelayMs(this.options.retry ?? {}, attempt), job.controller.signal);
          if (job.controller.signal.aborted || Date.now() >= job.leaseExpiresAt) return;
        }
      }
    } finally {
      sender.release(entry.id);
    }
  }

  /** Reports the failure so the todo goes back to the queue at once. */
  private async fail(job: Job, message: string): Promise<void> {
    const { todo } = job;
    try {
      const [outcome] = await this.options.rpc.call('todos.reportFailures', {
        failures: [{ todoId: todo.todoId, leaseToken: todo.leaseToken, error: (message || 'failed').slice(0, 4000) }],
      });
      const lastAttempt = outcome?.ok === true && outcome.status === 'failed';
      this.options.emit({ type: 'failed', todoId: todo.todoId, error: message, reported: true, ...(lastAttempt ? { lastAttempt } : {}) });
    } catch (error) {
      this.options.emit({ type: 'failed', todoId: todo.todoId, error: message, reported: false });
      this.options.emit({ type: 'error', stage: 'report', todoId: todo.todoId, message: `failure report: ${describeError(error)}` });
    }
  }

  /** Hands the todo back unrun, for a node that can do it (the attempt is refunded). */
  private async decline(job: Job, reason: string): Promise<void> {
    const { todo } = job;
    let outcome;
    try {
      [outcome] = await this.options.rpc.call('todos.decline', { declines: [{ todoId: todo.todoId, leaseToken: todo.leaseToken, reason: reason.slice(0, 1000) }] });
    } catch (error) {
      // A coordinator without `todos.decline` (an older release): a failure report does the job.
      this.options.emit({ type: 'error', stage: 'report', todoId: todo.todoId, message: `decline: ${describeError(error)}; reporting a failure instead` });
      await this.fail(job, reason);
      return;
    }
    if (outcome?.ok) this.options.emit({ type: 'declined', todoId: todo.todoId, reason });
    else this.options.emit({ type: 'lease_lost', todoId: todo.todoId });
  }

  private async release(todos: { todoId: number; leaseToken: string }[], reason?: string): Promise<void> {
    if (todos.length === 0) return;
    try {
      await this.options.rpc.call('todos.release', { leases: todos.map(({ todoId, leaseToken }) => ({ todoId, leaseToken })) });
      this.options.emit({ type: 'released', todoIds: todos.map((t) => t.todoId), ...(reason ? { reason } : {}) });
    } catch (error) {
      this.options.emit({ type: 'error', stage: 'release', message: `${describeError(error)} (the leases will expire instead)` });
    }
  }

  /**
   * Graceful stop: no more claims; running todos get until `deadline` (ms since the epoch) to
   * finish. Whatever has not produced its signed submission by then is aborted and its lease
   * released with `todos.release` (the attempt is refunded); a todo already in the outbox keeps
   * its entry for the next start.
   */
  async stop(deadline: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.pollTimer);
    this.claimHold.stop();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    // A claim under way gets until the deadline (its todos are then released at once); cut
    // later, a claim that went through unseen leaves leases that simply expire.
    const cutClaim = setTimeout(() => this.claimAbort.abort(new StopError()), Math.max(0, deadline - Date.now()));
    await this.claiming;
    clearTimeout(cutClaim);

    const allDone = () => Promise.allSettled([...this.running.values()].map((job) => job.done));
    const waitMs = deadline - Date.now();
    if (this.running.size > 0 && waitMs > 0) {
      const timeUp = new AbortController();
      const timer = setTimeout(() => timeUp.abort(), waitMs);
      await Promise.race([allDone(), pause(waitMs + 1, timeUp.signal)]);
      clearTimeout(timer);
    }

    const remaining = [...this.running.values()];
    const unfinished = remaining.filter((job) => job.phase !== 'reporting');
    for (const job of unfinished) job.releasing = true;
    for (const job of remaining) job.controller.abort(new StopError());
    await this.release(unfinished.map((job) => job.todo));
    await allDone();
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}
