import { publicProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';
import { claimsPause } from '../queue/claims-pause.js';

export const healthRouter = router({
  check: publicProcedure.query(({ ctx }) => ({
    ok: true as const,
    taskId: ctx.core.auth.taskId,
    /** The stake (base units) a worker key needs before it may connect, claim or audit. */
    minStake: ctx.core.auth.minStake,
    time: Date.now(),
    lastEventId: ctx.core.bus.latestId,
    /** Set while an operator has paused claims (`swarmtask pause`; the reason is for API keys: queue.state). */
    claimsPausedSince: claimsPause(ctx.core)?.since ?? null,
    /** The key that signs payout lists (`swarmtask round verify` checks them against it). */
    coordinatorKey: ctx.core.coordinatorKey.publicKeyBase58,
  })),
});
