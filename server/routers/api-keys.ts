import { z } from 'zod';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.js';
import { apiKeyProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

export const apiKeysRouter = router({
  create: apiKeyProcedure
    .input(
      z.object({
        name: z.string().min(1).max(100),
        scope: z.enum(API_KEY_SCOPES).default('admin'),
        /** When the key stops working, ms since the epoch (in the future); absent: never. */
        expiresAt: z.number().int().positive().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.core, input.name, input.scope, Date.now(), input.expiresAt ?? null)),
  list: apiKeyProcedure.query(({ ctx }) => listApiKeys(ctx.core)),
  revoke: apiKeyProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.core, input.id)),
});
