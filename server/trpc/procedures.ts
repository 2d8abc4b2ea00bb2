import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { DomainError } from '../../shared/errors.js';
import { signedEnvelopeSchema } from '../../shared/envelope.js';
import { requireKeyStillValid, requireWriteAccess, verifyApiKey, type ApiKeyScope } from '../auth/api-keys.js';
import { checkSignedRequest, type SignedRequest } from '../auth/verify-signed-request.js';
import { publicProcedure } from './trpc.js';

export { publicProcedure };

/** Operators and API users: `x-api-key` / `Authorization: Bearer`, or an API-key WebSocket. */
export const apiKeyProcedure = publicProcedure.use(({ ctx, type, path, next }) => {
  if (ctx.transport === 'local') return next({ ctx: { apiKeyId: 'local' as string } });
  let key: { id: string; scope: ApiKeyScope };
  if (ctx.connection?.kind === 'apiKey') {
    // The socket authenticated when it opened; a key revoked or expired since ends its calls too.
    requireKeyStillValid(ctx.core, ctx.connection.apiKeyId);
    key = { id: ctx.connection.apiKeyId, scope: ctx.connection.scope };
  } else {
    key = verifyApiKey(ctx.core, ctx.presentedApiKey);
  }
  ctx.limiters.apiKey.take(key.id);
  // Queries only read; mutations change state and subscriptions here run swarms.
  if (type !== 'query') requireWriteAccess(key, path);
  return next({ ctx: { apiKeyId: key.id } });
});

/**
 * A procedure whose input is a signed envelope around `payloadSchema`. The middleware verifies it
 * (signature, action = this procedure's path, task id, time window, stake) and narrows the
 * context to the verified worker; handlers read `input.payload` and run their state change in
 * `ctx.transact(fn, weight?)`, which records the nonce in the same transaction; concurrent calls
 * share one commit (group commit). `weight` is about how many todos the change touches (1 if left
 * out); with the worker's staking key it lets the group commit split one worker's long burst.
 * A handler that does not call it still gets its nonce recorded, after the fact.
 */
export function signedProcedure<Shape extends z.core.$ZodShape, Config extends z.core.$ZodObjectConfig>(
  payloadSchema: z.ZodObject<Shape, Config>,
  options: { requireStake?: boolean } = {},
) {
  return publicProcedure.input(signedEnvelopeSchema(payloadSchema)).use(async ({ ctx, path, getRawInput, next }) => {
    // The signature covers the bytes the worker sent, not the parsed input (zod adds defaults).
    const request = (await getRawInput()) as SignedRequest;
    const verified = checkSignedRequest(ctx.core, request, { action: path, requireStake: options.requireStake ?? true });
    ctx.limiters.stakingKey.take(request.stakingKey);
    let nonceConsumed = false;
    const transact = <T>(work: () => T, weight?: number): Promise<T> =>
      ctx.core.writer.run(() => {
        verified.consumeNonce();
        nonceConsumed = true;
        return work();
      }, weight, request.stakingKey);
    const result = await next({ ctx: { stakingKey: request.stakingKey, worker: verified.worker, signedRequest: request, transact } });
    // Through the group commit: under load a call that changed nothing shares a commit for its nonce.
    if (!nonceConsumed) await ctx.core.writer.run(() => verified.consumeNonce());
    return result;
  });
}

/** Subscriptions: a WebSocket that authenticated (worker or API key), or an HTTP API key. */
export const subscriberProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.connection || ctx.transport === 'local') return next();
  if (ctx.presentedApiKey) {
    verifyApiKey(ctx.core, ctx.presentedApiKey);
    return next();
  }
  throw new DomainError(
    'CONNECTION_NOT_AUTHENTICATED',
    'subscriptions need an authenticated connection: signed connectionParams (workers) or an API key',
  );
});

export { TRPCError };
