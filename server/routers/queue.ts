import { z } from 'zod';
import { claimsPause, pauseClaims, resumeClaims } from '../queue/index.js';
import { apiKeyProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

/** Run-time switches of the whole queue (`swarmtask pause` / `resume`). */
export const queueRouter = router({
  state: apiKeyProcedure.query(({ ctx }) => ({ claimsPaused: claimsPause(ctx.core) })),
  pause: apiKeyProcedure
    .input(z.object({ reason: z.string().min(1).max(200).optional() }).default({}))
    .mutation(({ ctx, input }) => pauseClaims(ctx.core, input.reason ?? null)),
  resume: apiKeyProcedure.mutation(({ ctx }) => resumeClaims(ctx.core)),
});
