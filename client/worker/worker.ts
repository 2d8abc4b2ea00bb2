import { resolve } from 'node:path';
import type { Keypair } from '../../shared/keypair.js';
import { createProviderRegistry, EMBEDDED_DEFAULT_MODEL_MAP, type ProviderRegistry, type SwarmBudget } from '../../server/swarms/index.js';
import { createWorkerClient, type WorkerClient } from '../worker-client.js';
import { ServerClock } from '../server-clock.js';
import { jitteredBackoff } from '../backoff.js';
import { discoverCoordinator } from '../discover-task-id.js';
import { pinCoordinatorKey } from './coordinator-pin.js';
import { PayoutChecker } from './payout-check.js';
import { Auditor, createModelJudge } from './audit.js';
import type { WorkerEvent, WorkerStage } from './events.js';
import { pause, retryDelayMs, type RetryPolicy } from './retry.js';
import { createWorkerRpc, describeError, isDefinitiveRefusal, type WorkerRpc } from './rpc.js';
import { registerAndAwaitStake } from './stake-gate.js';
import { startStatusServer, type StatusServer, type WorkerHealth } from './status-server.js';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.js';
import { SubmissionStore } from './submission-store.js';
import { SubmissionSender } from './submission.js';
import { TaskRunner, type GitHubAccess } from './task.js';
import { RepeatedErrors } from './repeated-errors.js';
import { SpendLedger } from './spend-ledger.js';
import { WORKER_DB_FILE } from './worker-db.js';
import { SpendLimit, type SpendLimitOptions } from './spend-limit.js';
import { hasClaimFilter } from './claim-filter.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';

/**
 * A worker node: the Koii task stages over the typed, signed API — task (claim → run the swarm
 * → proofs on IPFS → report), submission (durable outbox → `submissions.submit`) and audit
 * (verify others' submissions → signed vote) — plus registration, graceful shutdown, progress
 * events and an optional status port (`GET /health`, `GET /metrics`).
 */

export interface WorkerOptions {
  /** Coordinator base URL (its `/trpc` WebSocket and `/ipfs/` gateway). */
  serverUrl: string;
  keypair: Keypair;
  /** Default: the coordinator's own task id (from its health endpoint). */
  taskId?: string | undefined;
  /** Todos run at once (default 1, at most 100). */
  concurrency?: number;
  /** The SQLite outbox and the pinned coordinator keys live here (default ./worker-data). */
  dataDir?: string;
  /**
   * The key the coordinator must sign payout lists with (base58). Default: the key pinned in the
   * data dir, else the one it announces on first contact (then pinned). A coordinator announcing
   * another key is refused at start.
   */
  coordinatorKey?: string | undefined;
  githubUsername?: string | undefined;
  /** With a token, repository todos get a PR and auditors check PRs through the API. */
  githubToken?: string | undefined;
  githubApiUrl?: string | undefined;
  /** Main wallet public key, registered and carried in records as `pubKey`. */
  mainWalletKey?: string | undefined;
  /** Model map text; default env SWARMTASK_MODEL_MAP, else the embedded offline map (no keys needed). */
  modelMap?: string | undefined;
  /** A ready provider registry (wins over `modelMap`). */
  providers?: ProviderRegistry | undefined;
  /** Where provider keys and SWARMTASK_* settings are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * What one todo's swarm may spend on models, which this node pays for: model calls, tokens,
   * US dollars at the price table's rates. A todo that crosses a limit stops there and is
   * reported failed (back to the queue for another node). Unlimited by default.
   */
  budget?: SwarmBudget | undefined;
  /**
   * What the node may spend on models per rolling day (dollars and/or tokens): once reached it
   * takes no new work until old runs age out of the window, and each run is capped at what is
   * left (a run stopped by it is released, not failed). What every run spent is kept in the data dir.
   */
  spendLimit?: SpendLimitOptions | undefined;
  /**
   * The work this node takes: todos paying at least `minReward` base units, of these swarm types
   * (sent with every claim; the coordinator hands out nothing else). Default: any todo.
   */
  claimFilter?: ClaimFilter | undefined;
  /** Take part in audits (default true). */
  audit?: boolean;
  /** Ask this model for a verdict as the last audit check (off by default). */
  judgeModel?: string | undefined;
  /** Serve `GET /health` and `GET /metrics` on this port (0: any free port). */
  statusPort?: number | undefined;
  statusHost?: string;
  /** Claim poll besides the todo events (default 5000 ms). */
  pollIntervalMs?: number;
  /** Audit poll besides the audit events (default 5000 ms). */
  auditPollMs?: number;
  /** How often to check the signed payout lists that pay this key (default 60 000 ms; 0: never). */
  payoutCheckMs?: number;
  /** Time limit of each coordinator call (default 30 000 ms). */
  callTimeoutMs?: number;
  /** Backoff of report/submission/registration retries. */
  retry?: RetryPolicy;
  /** WebSocket reconnect delay per attempt (default: jittered exponential up to 30 s). */
  reconnectDelayMs?: (attempt: number) => number;
  /** Reconnect delay after the coordinator refused the connection, by refusals in a row (default 1 s doubling to 60 s). */
  refusedReconnectDelayMs?: (refusals: number) => number;
  /**
   * Stop by itself once nothing was held, audited or left to submit for this long (a node that
   * works through a queue and then shuts down; audits assigned later go to other nodes). Default: never.
   */
  exitWhenIdleMs?: number | undefined;
  /** How long stop() lets running work finish by default (default 30 000 ms). */
  shutdownGraceMs?: number;
  /** Stop gracefully on SIGINT/SIGTERM (default false; the CLI sets it). */
  handleSignals?: boolean;
  onEvent?: (event: WorkerEvent) => void;
}

export interface WorkerStatus extends WorkerHealth {
  stakingKey: string;
  taskId: string | null;
  /** The key payout lists must be signed by (pinned in the data dir), once known. */
  coordinatorKey: string | null;
  running: number[];
  state: 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
}

export interface Worker {
  readonly stakingKey: string;
  /** Registers, then starts claiming, submitting and auditing. Resolves once registered. */
  start(): Promise<void>;
  /** Graceful stop: no new claims, running work gets `graceMs` (default shutdownGraceMs), the rest is released. */
  stop(options?: { graceMs?: number }): Promise<void>;
  status(): WorkerStatus;
  /** `http://host:port` of the status server, once started with `statusPort`. */
  readonly statusUrl: string | null;
  /** The outbox file. */
  readonly storeFile: string;
}

/** Where a worker's models run: the given map, else SWARMTASK_MODEL_MAP, else every model offline (no keys needed). */
export function workerModelRegistry(env: Readonly<Record<string, string | undefined>>, modelMap: string | undefined): ProviderRegistry {
  return createProviderRegistry({ env, modelMap: modelMap ?? (env['SWARMTASK_MODEL_MAP'] || EMBEDDED_DEFAULT_MODEL_MAP) });
}

export function createWorker(options: WorkerOptions): Worker {
  const env = options.env ?? process.env;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) throw new Error(`concurrency must be an integer 1..100, got ${String(options.concurrency)}`);
  const providers = options.providers ?? workerModelRegistry(env, options.modelMap);
  const dataDir = resolve(options.dataDir ?? 'worker-data');
  const stakingKey = options.keypair.publicKeyBase58;
  const github: GitHubAccess | undefined = options.githubToken ? { token: options.githubToken, apiUrl: options.githubApiUrl } : undefined;
  const graceDefault = options.shutdownGraceMs ?? 30_000;
  const retry = options.retry ?? {};

  let state: WorkerStatus['state'] = 'created';
  let connected = false;
  /** Why the coordinator refuses this worker's connection, while it does. */
  let refusal: string | undefined;
  let lastError: WorkerHealth['lastError'] = null;
  let awaitingStake: WorkerHealth['awaitingStake'] = null;
  let taskId: string | null = options.taskId ?? null;
  /** The key payout lists must be signed by (pinned in the data dir), once known. */
  let coordinatorKey: string | null = null;
  let client: WorkerClient | undefined;
  let rpc: WorkerRpc | undefined;
  let store: SubmissionStore | undefined;
  let sender: SubmissionSender | undefined;
  let tasks: TaskRunner | undefined;
  let auditor: Auditor | undefined;
  let payouts: PayoutChecker | undefined;
  let spendLedger: SpendLedger | undefined;
  let statusServer: StatusServer | undefined;
  let stopping: Promise<void> | undefined;
  /** Outbox count at stop (the store is closed afterwards). */
  let finalPending: number | undefined;
  const lifetime = new AbortController();
  const signalHandlers: { signal: NodeJS.Signals; handler: () => void }[] = [];

  const repeatedErrors = new RepeatedErrors();
  let metrics: WorkerMetrics | undefined;
  const emit = (received: WorkerEvent) => {
    metrics?.observe(received);
    if (received.type === 'error') lastError = { message: received.message, stage: received.stage, at: new Date().toISOString() };
    repeatedErrors.observe(received);
    // While the connection is refused, failing calls only repeat what the refusal line said.
    if (received.type === 'error' && refusal !== undefined && !connected && received.todoId === undefined && received.auditId === undefined) return;
    const event = received.type === 'error' ? repeatedErrors.pass(received) : received;
    if (event === null) return;
    if (event.type === 'awaiting_stake') awaitingStake = { stake: event.stake, minStake: event.minStake };
    if (event.type === 'registered') awaitingStake = null;
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the worker.
    }
  };
  const emitError = (stage: WorkerStage, error: unknown) => emit({ type: 'error', stage, message: describeError(error) });

  const health = (): WorkerHealth => ({
    connected,
    leasesHeld: tasks?.leasesHeld ?? 0,
    pendingSubmissions: finalPending ?? (store ? store.pendingCount(stakingKey, taskId ?? undefined) : 0),
    lastError,
    awaitingStake,
    refusal: connected ? null : (refusal ?? null),
    claimsPausedSince: tasks?.claimsPausedSince ?? null,
    spendPausedUntil: tasks?.spendPausedUntil ?? null,
    claimsHeldUntil: tasks?.claimsHeldUntil ?? null,
  });

  /** Retries `work` on transient failures until it succeeds, is refused, or the worker stops. */
  async function persist<T>(stage: WorkerStage, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (isDefinitiveRefusal(error) || lifetime.signal.aborted) throw error;
        emitError(stage, error);
        await pause(retryDelayMs(retry, attempt), lifetime.signal);
        if (lifetime.signal.aborted) throw new Error('worker stopped before it could start');
      }
    }
  }

  /** For --exit-when-idle: checks every half second (or the idle time, if shorter) whether anything is under way. */
  function watchIdle(idleMs: number): void {
    let idleSince: number | null = null;
    const timer = setInterval(() => {
      if (state !== 'running') return clearInterval(timer);
      const now = Date.now();
      const current = health();
      if (current.leasesHeld > 0 || current.pendingSubmissions > 0 || auditor?.busy) {
        idleSince = null;
        return;
      }
      idleSince ??= now;
      if (now - idleSince < idleMs) return;
      clearInterval(timer);
      emit({ type: 'idle', idleMs: now - idleSince });
      void worker.stop();
    }, Math.max(50, Math.min(500, idleMs)));
    timer.unref();
  }

  const worker: Worker = {
    stakingKey,
    get statusUrl() {
      return statusServer?.url ?? null;
    },
    storeFile: resolve(dataDir, WORKER_DB_FILE),

    async start() {
      if (state !== 'created') throw new Error(`worker already ${state}`);
      state = 'starting';
      if (options.statusPort !== undefined) {
        metrics = createWorkerMetrics(health);
        statusServer = await startStatusServer(options.statusPort, health, options.statusHost, metrics);
      }
      store = new SubmissionStore(dataDir);
      spendLedger = new SpendLedger(dataDir);
      const spendLimit = options.spendLimit ? new SpendLimit(spendLedger, options.spendLimit) : undefined;
      if (options.handleSignals) {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          const handler = () => void worker.stop();
          process.once(signal, handler);
          signalHandlers.push({ signal, handler });
        }
      }
      try {
        const discover = () => persist('register', () => discoverCoordinator(options.serverUrl, lifetime.signal));
        let identity = taskId === null ? await discover() : undefined;
        const resolvedTaskId = taskId ?? identity!.taskId;
        taskId = resolvedTaskId;
        emit({
          type: 'started',
          stakingKey,
          server: options.serverUrl,
          taskId: resolvedTaskId,
          concurrency,
          audits: options.audit !== false,
          models: providers.describe().modelMap,
          ...(options.budget && Object.keys(options.budget).length > 0 ? { budget: options.budget } : {}),
          ...(spendLimit?.limited ? { spendLimit: options.spendLimit } : {}),
          ...(hasClaimFilter(options.claimFilter) ? { claimFilter: options.claimFilter } : {}),
        });
        // Its signing key, checked against the pin before anything is signed for it.
        identity ??= await discover();
        const signingKey = pinCoordinatorKey(dataDir, resolvedTaskId, identity.coordinatorKey, options.coordinatorKey);
        coordinatorKey = signingKey.key;
        if (signingKey.pinned) emit({ type: 'coordinator_key_pinned', taskId: resolvedTaskId, ...signingKey.pinned });
        const callTimeoutMs = options.callTimeoutMs ?? 30_000;
        // One clock for both clients: a correction learned while registering holds for the work after.
        const clock = new ServerClock();
        clock.onChange((offsetMs) => emit({ type: 'clock_offset', offsetMs }));
        const registrar = createWorkerClient({ url: options.serverUrl, keypair: options.keypair, taskId: resolvedTaskId, transport: 'http', clock });
        const registered = await registerAndAwaitStake({
          rpc: createWorkerRpc(registrar, callTimeoutMs),
          registration: {
            ...(options.githubUsername ? { githubUsername: options.githubUsername } : {}),
            ...(options.mainWalletKey ? { mainWalletKey: options.mainWalletKey } : {}),
          },
          emit,
          persist: (work) => persist('register', work),
          pollMs: options.pollIntervalMs ?? 5_000,
          signal: lifetime.signal,
        }).finally(() => registrar.close());
        emit({ type: 'registered', stakingKey, githubUsername: registered.githubUsername, stake: registered.stake });

        client = createWorkerClient({
          url: options.serverUrl,
          keypair: options.keypair,
          taskId: resolvedTaskId,
          clock,
          retryDelayMs: options.reconnectDelayMs ?? jitteredBackoff(),
          ...(options.refusedReconnectDelayMs ? { refusedRetryDelayMs: options.refusedReconnectDelayMs } : {}),
          onAccepted: () => {
            if (!connected) emit({ type: 'connected' });
            connected = true;
            refusal = undefined;
          },
          onClose: (cause) => {
            const quitting = state === 'stopping' || state === 'stopped';
            // A refusal is said once (and again only if its reason changes), however often the
            // reconnects are refused; the calls that fail meanwhile say nothing new.
            if (!quitting && cause?.refusal !== undefined && cause.refusal !== refusal) {
              emit({ type: 'disconnected', refusal: cause.refusal });
            } else if (!quitting && connected && cause?.refusal === undefined) {
              emit({ type: 'disconnected' });
            }
            // A close without a refusal (the coordinator went away) ends the refusal: what fails next is news.
            refusal = cause?.refusal;
            connected = false;
          },
        });
        rpc = createWorkerRpc(client, callTimeoutMs);
        const githubUsername = options.githubUsername ?? registered.githubUsername ?? undefined;
        if (github && !githubUsername) {
          emit({ type: 'error', stage: 'register', message: 'GITHUB_TOKEN is set but no GitHub username is known (--github-user / GITHUB_USERNAME): no PRs will be opened' });
        }

        sender = new SubmissionSender({ store, rpc, emit, retry });
        tasks = new TaskRunner({
          rpc,
          client,
          keypair: options.keypair,
          store,
          sender,
          providers,
          emit,
          concurrency,
          githubUsername,
          github,
          mainWalletKey: options.mainWalletKey,
          budget: options.budget,
          spendLedger,
          spendLimit,
          claimFilter: options.claimFilter,
          ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
          retry,
        });
        if (options.audit !== false) {
          auditor = new Auditor({
            rpc,
            client,
            gatewayUrl: options.serverUrl,
            emit,
            github: github ? { token: github.token, ...(github.apiUrl ? { apiUrl: github.apiUrl } : {}) } : undefined,
            judge: options.judgeModel ? createModelJudge(providers, options.judgeModel) : undefined,
            ...(options.auditPollMs !== undefined ? { pollMs: options.auditPollMs } : {}),
          });
        }
        if (options.payoutCheckMs !== 0) {
          payouts = new PayoutChecker({
            rpc,
            gatewayUrl: options.serverUrl,
            emit,
            ...(coordinatorKey ? { coordinatorKey } : {}),
            ...(options.payoutCheckMs ? { pollMs: options.payoutCheckMs } : {}),
          });
        }
        if (lifetime.signal.aborted) return;
        state = 'running';
        const kept = sender.pendingCount();
        if (kept > 0) emit({ type: 'outbox_resumed', pending: kept });
        sender.start();
        tasks.start();
        auditor?.start();
        payouts?.start();
        if (options.exitWhenIdleMs !== undefined) watchIdle(options.exitWhenIdleMs);
      } catch (error) {
        if (lifetime.signal.aborted) return;
        emitError('register', error);
        await worker.stop({ graceMs: 0 });
        throw error;
      }
    },

    stop(stopOptions = {}) {
      if (stopping) return stopping;
      const graceMs = stopOptions.graceMs ?? graceDefault;
      stopping = (async () => {
        const wasRunning = state === 'running';
        state = 'stopping';
        lifetime.abort();
        emit({ type: 'stopping', leasesHeld: tasks?.leasesHeld ?? 0, graceMs });
        const deadline = Date.now() + graceMs;
        if (wasRunning) {
          await Promise.all([tasks?.stop(deadline), auditor?.stop(deadline), payouts?.stop()]);
          // Results that finished in the grace period are submitted now, if the time allows.
          await sender?.stop(deadline);
        }
        for (const { signal, handler } of signalHandlers) process.off(signal, handler);
        await client?.close().catch(() => undefined);
        connected = false;
        const pendingSubmissions = store ? store.pendingCount(stakingKey, taskId ?? undefined) : 0;
        finalPending = pendingSubmissions;
        store?.close();
        spendLedger?.close();
        await statusServer?.close();
        state = 'stopped';
        emit({ type: 'stopped', pendingSubmissions });
      })();
      return stopping;
    },

    status() {
      return { ...health(), stakingKey, taskId, coordinatorKey, running: tasks?.runningTodoIds() ?? [], state };
    },
  };
  return worker;
}
