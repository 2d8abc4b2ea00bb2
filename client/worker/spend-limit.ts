import { formatUsd, type SwarmBudget } from '../../server/swarms/run-budget.js';
import type { WorkerEvent } from './events.js';
import type { SpendLedger, SpendTotals } from './spend-ledger.js';

/** A node's spending limit over a rolling window (a day by default): dollars and/or tokens. */
export interface SpendLimitOptions {
  maxCostUsd?: number | undefined;
  maxTokens?: number | undefined;
  /** The rolling window (default 24 h). */
  windowMs?: number;
}

export interface SpendState {
  spent: SpendTotals;
  /** Set when the limit is reached: when enough of the window's spending has aged out to go on. */
  exhaustedUntil: number | null;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** "$5.00, 1,000,000 tokens per day". */
export function describeSpendLimit(options: SpendLimitOptions): string {
  const parts: string[] = [];
  if (options.maxCostUsd !== undefined) parts.push(formatUsd(options.maxCostUsd));
  if (options.maxTokens !== undefined) parts.push(`${options.maxTokens.toLocaleString('en-US')} tokens`);
  const windowMs = options.windowMs ?? DAY_MS;
  return `${parts.join(', ')} per ${windowMs === DAY_MS ? 'day' : `${Math.round(windowMs / 1000)} s`}`;
}

/**
 * Holds a node to what it may spend on models per rolling window: no new claims once the limit
 * is reached (until old runs age out of the window), and each run may spend at most what is
 * left. Several runs at once each get what is left when they start, so with --concurrency N the
 * window can overshoot by up to N−1 runs' worth.
 */
export class SpendLimit {
  readonly windowMs: number;

  constructor(
    private readonly ledger: SpendLedger,
    private readonly options: SpendLimitOptions,
  ) {
    this.windowMs = options.windowMs ?? DAY_MS;
  }

  get limited(): boolean {
    return this.options.maxCostUsd !== undefined || this.options.maxTokens !== undefined;
  }

  state(now = Date.now()): SpendState {
    const since = now - this.windowMs;
    const spent = this.ledger.spentSince(since);
    if (!this.over(spent)) return { spent, exhaustedUntil: null };
    // Walk the window's runs from the oldest: once enough have aged out, the limit frees up.
    let left = { ...spent };
    for (const entry of this.ledger.entriesSince(since)) {
      left = { ...left, costUsd: left.costUsd - entry.costUsd, tokens: left.tokens - entry.tokens };
      if (!this.over(left)) return { spent, exhaustedUntil: entry.at + this.windowMs };
    }
    return { spent, exhaustedUntil: now + this.windowMs };
  }

  /**
   * What one run starting now may spend: the run's own budget, capped by what the window has
   * left; `fromWindow` names the limits the window set (a run stopped by one of those stopped
   * for the node's daily limit, not for its own size).
   */
  budgetForRun(perRun: SwarmBudget | undefined, now = Date.now()): { budget: SwarmBudget | undefined; fromWindow: Array<keyof SwarmBudget> } {
    if (!this.limited) return { budget: perRun, fromWindow: [] };
    const { spent } = this.state(now);
    const budget: SwarmBudget = { ...perRun };
    const fromWindow: Array<keyof SwarmBudget> = [];
    if (this.options.maxCostUsd !== undefined) {
      const left = Math.max(Number.MIN_VALUE, this.options.maxCostUsd - spent.costUsd);
      if (budget.maxCostUsd === undefined || left < budget.maxCostUsd) {
        budget.maxCostUsd = left;
        fromWindow.push('maxCostUsd');
      }
    }
    if (this.options.maxTokens !== undefined) {
      const left = Math.max(1, this.options.maxTokens - spent.tokens);
      if (budget.maxTokens === undefined || left < budget.maxTokens) {
        budget.maxTokens = left;
        fromWindow.push('maxTokens');
      }
    }
    return { budget, fromWindow };
  }

  describe(): string {
    return describeSpendLimit(this.options);
  }

  private over(spent: Pick<SpendTotals, 'costUsd' | 'tokens'>): boolean {
    const { maxCostUsd, maxTokens } = this.options;
    return (maxCostUsd !== undefined && spent.costUsd >= maxCostUsd) || (maxTokens !== undefined && spent.tokens >= maxTokens);
  }
}

/**
 * Asked before every claim: whether the node must wait for its spending limit. Says once when
 * it starts waiting (what was spent, until when) and once when it goes on; the claim poll asks
 * again, so the wait ends by itself when old runs age out of the window.
 */
export class SpendWatch {
  private until: number | null = null;

  constructor(
    private readonly limit: SpendLimit | undefined,
    private readonly emit: (event: WorkerEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Until when the node waits, while it does. */
  get pausedUntil(): number | null {
    return this.until;
  }

  paused(): boolean {
    if (!this.limit?.limited) return false;
    const { spent, exhaustedUntil } = this.limit.state(this.now());
    if (exhaustedUntil === null) {
      if (this.until !== null) this.emit({ type: 'spend_resumed' });
      this.until = null;
      return false;
    }
    if (this.until === null) this.emit({ type: 'spend_paused', costUsd: spent.costUsd, tokens: spent.tokens, limit: this.limit.describe(), until: exhaustedUntil });
    this.until = exhaustedUntil;
    return true;
  }
}
