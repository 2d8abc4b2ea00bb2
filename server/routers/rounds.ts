import { tracked } from '@trpc/server';
import { z } from 'zod';
import { StakingKeySchema } from '../../shared/envelope.js';
import { balances, currentRound, lastTalliedRound, roundDetail } from '../rounds/index.js';
import { apiKeyProcedure, publicProcedure, subscriberProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';
import { subscribeToEvents } from './subscribe-to-events.js';

export const roundsRouter = router({
  current: publicProcedure.query(({ ctx }) => currentRound(ctx.core)),
  /**
   * A round's submissions, their votes, and its distribution list (with its IPFS CID once
   * published); without a number, the newest tallied round.
   */
  get: publicProcedure
    .input(z.object({ number: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => roundDetail(ctx.core, input.number ?? lastTalliedRound(ctx.core))),
  balances: apiKeyProcedure
    .input(z.object({ stakingKey: StakingKeySchema.optional() }).default({}))
    .query(({ ctx, input }) => balances(ctx.core, input.stakingKey)),
  onEvent: subscriberProcedure
    .input(z.object({ lastEventId: z.string().regex(/^\d+$/).nullish() }).default({}))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const event of subscribeToEvents(ctx, input.lastEventId, signal, (e) => e.type.startsWith('round.'))) {
        yield tracked(String(event.id), event);
      }
    }),
});
