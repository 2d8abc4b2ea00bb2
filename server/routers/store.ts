import { storeRoom } from '../db/store-room.js';
import { apiKeyProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

/** The coordinator's store: its size and the disk room left where it lives. */
export const storeRouter = router({
  room: apiKeyProcedure.query(({ ctx }) => storeRoom(ctx.core)),
});
