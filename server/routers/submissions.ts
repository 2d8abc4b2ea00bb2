import { tracked } from '@trpc/server';
import { z } from 'zod';
import { AuditClaimPayloadSchema, IpfsAddPayloadSchema, SubmitPayloadSchema, VotePayloadSchema } from '../../shared/submission-schemas.js';
import { DomainError } from '../../shared/errors.js';
import { castVote, claimAudits, submitWork } from '../rounds/index.js';
import { touchWorker } from '../auth/workers.js';
import { signedProcedure, subscriberProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';
import { subscribeToEvents } from './subscribe-to-events.js';

const eventStream = (prefixes: string[]) =>
  subscriberProcedure
    .input(z.object({ lastEventId: z.string().regex(/^\d+$/).nullish() }).default({}))
    .subscription(async function* ({ ctx, input, signal }) {
      const filter = (e: { type: string }) => prefixes.some((p) => e.type.startsWith(p));
      for await (const event of subscribeToEvents(ctx, input.lastEventId, signal, filter)) yield tracked(String(event.id), event);
    });

export const submissionsRouter = router({
  /** A worker submits the CID of its signed submission record for the current round. */
  submit: signedProcedure(SubmitPayloadSchema).mutation(({ ctx, input }) => ctx.transact(() => submitWork(ctx.core, ctx.stakingKey, input.payload))),
  onEvent: eventStream(['submission.']),
});

export const auditsRouter = router({
  /** The audits assigned to the calling key. */
  claim: signedProcedure(AuditClaimPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => {
      touchWorker(ctx.core, ctx.stakingKey);
      return claimAudits(ctx.core, ctx.stakingKey, input.payload.max);
    }),
  ),
  /** A signed vote with its reason; the envelope is stored so anyone can re-verify it. */
  vote: signedProcedure(VotePayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => castVote(ctx.core, ctx.stakingKey, input.payload, ctx.signedRequest)),
  ),
  onEvent: eventStream(['audit.']),
});

export const ipfsRouter = router({
  /** Stores bytes in the coordinator's IPFS store (embedded or Kubo) and returns their CID. */
  add: signedProcedure(IpfsAddPayloadSchema).mutation(async ({ ctx, input }) => {
    const bytes = Buffer.from(input.payload.contentBase64, 'base64');
    if (bytes.toString('base64') !== input.payload.contentBase64.replace(/\s/g, '')) {
      throw new DomainError('INVALID_INPUT', 'payload.contentBase64 is not valid base64', { field: 'payload.contentBase64' });
    }
    await ctx.transact(() => undefined); // records the nonce
    return { cid: await ctx.core.ipfs.add(bytes, { cidVersion: input.payload.cidVersion }), size: bytes.length };
  }),
});
