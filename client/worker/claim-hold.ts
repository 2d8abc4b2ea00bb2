import { retryAfterMs } from './rpc.js';

/**
 * Holds claims while the coordinator asks for it: after a claim refused with a `Retry-After` hint
 * (its store cannot take writes, or this key's rate limit), polls and announcements claim nothing
 * until the hint has passed, and one claim is tried when it has. Without it every worker would
 * keep asking every poll, each call one more refusal for a coordinator already in trouble.
 */
export class ClaimHold {
  private untilMs: number | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly claimAgain: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Until when claims are held (ms since the epoch); null when they are not. */
  get until(): number | null {
    return this.untilMs !== null && this.now() < this.untilMs ? this.untilMs : null;
  }

  /** After a refused claim: holds for the coordinator's hint, if it gave one. */
  afterRefusal(error: unknown): void {
    const ms = retryAfterMs(error);
    if (ms === undefined) return;
    this.untilMs = this.now() + ms;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.untilMs = null;
      this.claimAgain();
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.untilMs = null;
  }
}
