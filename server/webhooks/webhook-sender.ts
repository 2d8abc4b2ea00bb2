import type { Logger } from 'pino';
import type { Core } from '../core.js';
import { findEvents } from '../events/find-events.js';
import { pause } from '../../shared/pause.js';
import { cachedStatement } from '../db/statements.js';
import { postEvents, type WebhookTarget } from './post-events.js';
import { saveWebhookState, webhookStartState, type WebhookState } from './webhook-state.js';

/** How often a cursor moved only past events of other types is saved. */
const SKIP_SAVE_MS = 5000;

export interface WebhookSenderOptions extends WebhookTarget {
  /** Event type prefixes to send. */
  eventPrefixes: string[];
  /** First wait after a failed delivery; doubles up to maxRetryMs. */
  retryMs: number;
  maxRetryMs?: number;
  /** Events per POST. */
  batchSize?: number;
}

/**
 * Sends the event log's matching events to the operator's webhook, in order, each batch until the
 * receiver answers 2xx. It reads the log from its saved cursor (not from in-memory queues), so
 * events written while it waits, while the receiver is down, or by another process on the data dir
 * (the CLI) are all sent, and a restart goes on where it stopped. A failing receiver is retried
 * with doubling waits, forever; the operator sees it in `status`, `/metrics` and the log.
 */
export class WebhookSender {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private savedAt = 0;
  /** Faults of the delivery loop in a row (see runUntilStopped). */
  private faultStreak = 0;
  /** The first retained id when a pruned gap was last reported. */
  private prunedNoted = 0;

  constructor(
    private readonly core: Pick<Core, 'db' | 'sqlite' | 'bus'>,
    private readonly options: WebhookSenderOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.runUntilStopped();
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('coordinator stopping'));
    await this.running;
  }

  /**
   * Delivery survives its own faults too (the store busy past its timeout, a bug): said, then tried
   * again, waiting longer while the faults go on. A start that gets as far as saving its state ends
   * the streak, so a fault weeks later waits the shortest pause again, not the longest.
   */
  private async runUntilStopped(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.run();
      } catch (error) {
        this.faultStreak++;
        const retryInMs = this.backoffMs(this.faultStreak);
        this.log.error({ err: error, url: this.options.url, faults: this.faultStreak, retryInMs }, 'webhook delivery failed unexpectedly; starting again from the saved cursor');
        await pause(retryInMs, this.stopping.signal);
      }
    }
  }

  private async run(): Promise<void> {
    const { sqlite, bus } = this.core;
    const signal = this.stopping.signal;
    const { url, eventPrefixes, batchSize = 100 } = this.options;
    let state = webhookStartState(sqlite, url);
    this.save(state);
    this.faultStreak = 0;
    this.log.info({ url, events: eventPrefixes.join(','), fromEventId: state.cursor, signed: Boolean(this.options.secret) }, 'webhook delivery started');
    if (!this.options.secret) this.log.warn('webhook deliveries are not signed: set SWARMTASK_WEBHOOK_SECRET so the receiver can tell them from forgeries');

    while (!signal.aborted) {
      this.notePruned(state.cursor);
      const found = findEvents(sqlite, { from: 'oldest', afterId: state.cursor, types: eventPrefixes, limit: batchSize });
      if (found.events.length === 0) {
        // Moving past events of other types needs no write each time (a busy queue writes many):
        // after a restart they would only be looked through again.
        state = { ...state, cursor: found.cursor };
        if (Date.now() - this.savedAt >= SKIP_SAVE_MS) this.save(state);
        if (found.done) await bus.waitForNewerThan(state.cursor, signal);
        else await new Promise((resolve) => setImmediate(resolve)); // a long stretch: let calls in between windows
        continue;
      }
      try {
        await postEvents(this.options, found.events, signal);
        if (state.failing) this.log.info({ url, failedAttempts: state.failing.attempts, since: new Date(state.failing.since).toISOString() }, 'webhook delivering again');
        state = this.save({ ...state, cursor: found.cursor, deliveredAt: Date.now(), failing: null });
      } catch (error) {
        if (signal.aborted) return;
        const attempts = (state.failing?.attempts ?? 0) + 1;
        const message = (error as Error).message;
        state = this.save({ ...state, failing: { since: state.failing?.since ?? Date.now(), attempts, error: message } });
        const waitMs = this.backoffMs(attempts);
        // Said on the first failure and then every tenth, not on every retry of a long outage.
        if (attempts === 1 || attempts % 10 === 0) {
          this.log.warn({ url, attempts, error: message, events: `${found.events[0]!.id}-${found.events.at(-1)!.id}`, retryInMs: waitMs }, 'webhook delivery failed; retrying');
        }
        await pause(waitMs, signal);
      }
    }
  }

  /** The wait before try number `attempt` (1-based) after a failure: retryMs, doubling, at most maxRetryMs. */
  private backoffMs(attempt: number): number {
    return Math.min(this.options.retryMs * 2 ** Math.min(attempt - 1, 20), this.options.maxRetryMs ?? 300_000);
  }

  private save(state: WebhookState): WebhookState {
    saveWebhookState(this.core, state);
    this.savedAt = Date.now();
    return state;
  }

  /** Events pruned (retention) before they were delivered are gone: said once per gap. */
  private notePruned(cursor: number): void {
    const { first } = cachedStatement(this.core.sqlite, 'SELECT (SELECT min(id) FROM events) AS first').get() as { first: number | null };
    if (first !== null && cursor < first - 1 && first !== this.prunedNoted) {
      this.prunedNoted = first;
      this.log.warn({ url: this.options.url, lost: `${cursor + 1}-${first - 1}` }, 'webhook: events past their retention were pruned before they could be delivered');
    }
  }
}
