import type { WorkerEvent } from './events.js';
import type { WorkerRpc } from './rpc.js';

/** How often an idle worker asks whether its coordinator paused claims. */
const CHECK_EVERY_MS = 15_000;

/**
 * Tells the node runner why the worker is idle when its coordinator's operator paused claims
 * (`swarmtask pause`): after a claim that got nothing it asks `health.check` (at most every
 * 15 s) and says so once; work arriving again, or the flag gone, says it resumed.
 */
export class PauseWatch {
  private pausedSince: number | null = null;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private checking = false;
  /** Counts claims that got work, so an answer asked for before one of them is not believed after it. */
  private worked = 0;

  constructor(
    private readonly rpc: Pick<WorkerRpc, 'coordinatorInfo'>,
    private readonly emit: (event: WorkerEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get since(): number | null {
    return this.pausedSince;
  }

  /** After each claim: `claimed` is how many todos it got. */
  afterClaim(claimed: number): void {
    if (claimed > 0) {
      this.worked++;
      this.set(null);
      return;
    }
    if (this.checking || this.now() - this.lastCheck < CHECK_EVERY_MS) return;
    this.checking = true;
    this.lastCheck = this.now();
    const workedBefore = this.worked;
    this.rpc
      .coordinatorInfo()
      .then((info) => {
        if (this.worked === workedBefore) this.set(info.claimsPausedSince ?? null);
      })
      .catch(() => undefined) // a failing health check says nothing about pauses; the claim errors speak for themselves
      .finally(() => {
        this.checking = false;
      });
  }

  private set(since: number | null): void {
    if (since === this.pausedSince) return;
    const was = this.pausedSince;
    this.pausedSince = since;
    if (since !== null) this.emit({ type: 'claims_paused', since });
    else if (was !== null) this.emit({ type: 'claims_resumed' });
  }
}
