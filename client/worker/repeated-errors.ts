import type { WorkerEvent, WorkerStage } from './events.js';

type ErrorEvent = Extract<WorkerEvent, { type: 'error' }>;

const RECOVERED_BY: Partial<Record<WorkerEvent['type'], WorkerStage | 'all'>> = {
  connected: 'all',
  registered: 'register',
  claimed: 'claim',
  submitted: 'submit',
  audited: 'audit',
  voted: 'vote',
};

/** How long an error that keeps repeating stays quiet before it is shown again (with a count). */
export const REPEAT_QUIET_MS = 5 * 60_000;

/**
 * Keeps a failure that repeats every poll (a key whose stake was withdrawn, a coordinator that is
 * down) from filling the operator's screen: an error of a stage is shown the first time, then, while
 * the same message keeps coming, at most once per `quietMs`, saying how many were held back.
 * Errors about one todo or audit are always shown: each is news.
 */
export class RepeatedErrors {
  private readonly lastByStage = new Map<string, { message: string; shownAt: number; held: number }>();

  constructor(
    private readonly quietMs = REPEAT_QUIET_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The event to emit (with `repeated` when some were held back since it was last shown), or null to hold it back. */
  pass(event: ErrorEvent): ErrorEvent | null {
    if (event.todoId !== undefined || event.auditId !== undefined) return event;
    const now = this.now();
    const last = this.lastByStage.get(event.stage);
    if (last && last.message === event.message && now - last.shownAt < this.quietMs) {
      last.held += 1;
      return null;
    }
    const held = last && last.message === event.message ? last.held : 0;
    this.lastByStage.set(event.stage, { message: event.message, shownAt: now, held: 0 });
    return held > 0 ? { ...event, repeated: held } : event;
  }

  /** Events that show a stage working again, after which its next failure is news. */
  observe(event: WorkerEvent): void {
    const stage = RECOVERED_BY[event.type];
    if (stage === 'all') this.lastByStage.clear();
    else if (stage) this.lastByStage.delete(stage);
  }
}
