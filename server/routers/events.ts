import { tracked } from '@trpc/server';
import { z } from 'zod';
import { FindEventsInputSchema } from '../../shared/event-schemas.js';
import { eventMatcher, findEvents } from '../events/find-events.js';
import { readEventsAfter } from '../events/read-events.js';
import { apiKeyProcedure, subscriberProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';
import { subscribeToEvents } from './subscribe-to-events.js';

export const eventsRouter = router({
  /** Every state change, live, for dashboards; `types` narrows by prefix (e.g. `todo.`), `todoId` to one todo. */
  on: subscriberProcedure
    .input(
      z
        .object({
          lastEventId: z.string().regex(/^\d+$/).nullish(),
          types: z.array(z.string().min(1).max(100)).max(50).optional(),
          /** Only this todo's events (its story: created, claimed, submitted, audited, done…). */
          todoId: z.number().int().positive().optional(),
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const filter = eventMatcher(input);
      for await (const event of subscribeToEvents(ctx, input.lastEventId, signal, filter)) {
        yield tracked(String(event.id), event);
      }
    }),
  list: apiKeyProcedure
    .input(z.object({ afterId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) }))
    .query(({ ctx, input }) => readEventsAfter(ctx.core.sqlite, input.afterId, input.limit)),
  /** Events by type prefix and todo, from either end; each call scans a bounded window and returns its `cursor`. */
  find: apiKeyProcedure.input(FindEventsInputSchema).query(({ ctx, input }) => findEvents(ctx.core.sqlite, input)),
});
