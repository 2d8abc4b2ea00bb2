import type { SignedOutput } from '../signed-calls.js';
import type { WorkerEvent } from './events.js';
import { pause } from './retry.js';
import type { WorkerRpc } from './rpc.js';

export type RegisteredWorker = NonNullable<SignedOutput<'workers.register'>>;

export interface StakeGateOptions {
  /** Over HTTP: registering needs no stake, while the worker WebSocket refuses unstaked keys. */
  rpc: WorkerRpc;
  registration: { githubUsername?: string; mainWalletKey?: string };
  emit: (event: WorkerEvent) => void;
  /** Retries a call through transient failures (the worker's own policy); throws once stopped. */
  persist: <T>(work: () => Promise<T>) => Promise<T>;
  /** Between stake checks. */
  pollMs: number;
  /** The worker's lifetime: aborting it ends the wait. */
  signal: AbortSignal;
}

/**
 * Registers the staking key and waits until the coordinator's operator has staked it. A node's
 * first run usually comes before its stake: this says so once, with the command that fixes it,
 * and carries on by itself when the stake arrives, instead of a WebSocket refused over and over.
 */
export async function registerAndAwaitStake(options: StakeGateOptions): Promise<RegisteredWorker> {
  const { rpc, persist } = options;
  const { minStake } = await persist(() => rpc.coordinatorInfo());
  let worker: RegisteredWorker = await persist(() => rpc.call('workers.register', options.registration));
  let announcedStake: number | null = null;
  while (worker.stake < minStake) {
    if (worker.stake !== announcedStake) {
      options.emit({ type: 'awaiting_stake', stakingKey: worker.stakingKey, stake: worker.stake, minStake });
      announcedStake = worker.stake;
    }
    await pause(options.pollMs, options.signal);
    if (options.signal.aborted) throw new Error('worker stopped while waiting for its stake');
    worker = (await persist(() => rpc.call('workers.me', {}))) ?? worker;
  }
  return worker;
}
