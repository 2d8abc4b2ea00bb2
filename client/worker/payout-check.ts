import { checkDistribution } from '../../shared/distribution.js';
import { fetchVerified } from '../../shared/ipfs/fetch-verified.js';
import type { WorkerEvent } from './events.js';
import { describeError, type WorkerRpc } from './rpc.js';

export interface PayoutCheckerOptions {
  rpc: WorkerRpc;
  /** The coordinator's trustless gateway (its URL): lists are fetched by CID and checked block by block. */
  gatewayUrl: string;
  emit: (event: WorkerEvent) => void;
  /** The key lists must be signed by (the worker's pin); default: the key the coordinator announces at each check. */
  coordinatorKey?: string;
  /** How often to ask which rounds paid this key (default 60 000 ms; rounds last minutes). */
  pollMs?: number;
}

/**
 * Checks every signed payout list that pays this key, as `swarmtask round verify` does: fetched
 * by CID and verified, signed by the pinned coordinator key, for this task, total = sum.
 * Each list is checked once; a list that does not verify is reported loudly, once.
 */
export class PayoutChecker {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** `round:cid` of every list checked: a round pointing at another round's list is checked too. */
  private readonly checked = new Set<string>();
  private readonly stopController = new AbortController();

  constructor(private readonly options: PayoutCheckerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.pollMs ?? 60_000);
    this.timer.unref();
    void this.check();
  }

  /** Stops polling and cuts off a check under way (it is not worth holding a shutdown for). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopController.abort(new Error('worker stopping'));
    await this.ticking;
  }

  /** One pass over the latest paying rounds (at most one pass at a time). */
  check(): Promise<void> {
    if (this.stopController.signal.aborted) return Promise.resolve();
    this.ticking ??= this.pass(this.stopController.signal)
      .catch((error: unknown) => {
        if (!this.stopController.signal.aborted) this.options.emit({ type: 'error', stage: 'payout', message: describeError(error) });
      })
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async pass(signal: AbortSignal): Promise<void> {
    const { rpc, emit } = this.options;
    const earnings = await rpc.call('workers.earnings', { rounds: 5 }, { signal });
    const unchecked = earnings.rounds.filter((r) => r.distributionCid !== null && !this.checked.has(`${r.round}:${r.distributionCid}`));
    if (unchecked.length === 0) return;
    const coordinatorKey = this.options.coordinatorKey ?? (await rpc.coordinatorInfo({ signal })).coordinatorKey;
    for (const { round, distributionCid } of unchecked.reverse()) {
      const cid = distributionCid!;
      const bytes = await fetchVerified(this.options.gatewayUrl, cid, { signal });
      const { document, problems } = checkDistribution(bytes, { taskId: rpc.taskId, ...(coordinatorKey ? { coordinatorKey } : {}) });
      if (document && document.list.round !== round) problems.push(`it is the list of round ${document.list.round}, not of round ${round}`);
      this.checked.add(`${round}:${cid}`);
      if (problems.length === 0) emit({ type: 'payout_verified', round, cid, amount: document!.list.distribution[rpc.stakingKey] ?? 0 });
      else emit({ type: 'payout_invalid', round, cid, problems });
    }
  }
}
