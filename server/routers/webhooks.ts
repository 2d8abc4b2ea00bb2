import { webhookStatus } from '../webhooks/webhook-status.js';
import { apiKeyProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

/** The operator's webhook (SWARMTASK_WEBHOOK_URL): where its delivery stands. */
export const webhooksRouter = router({
  state: apiKeyProcedure.query(({ ctx }) => webhookStatus(ctx.core)),
});
