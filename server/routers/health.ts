import { publicProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

export const healthRouter = router({
  check: publicProcedure.query(({ ctx }) => ({
    ok: true as const,
    taskId: ctx.core.auth.taskId,
    time: Date.now(),
    lastEventId: ctx.core.bus.latestId,
  })),
});
