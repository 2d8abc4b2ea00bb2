import { z } from 'zod';
import { StakingKeySchema } from '../../shared/envelope.js';
import { BaseUnitsSchema } from '../../shared/todo-schemas.js';
import { ListWorkersInputSchema } from '../../shared/worker-schemas.js';
import { findWorker, registerWorker, setStake } from '../auth/workers.js';
import { listWorkers, summarizeWorkers } from '../auth/list-workers.js';
import { workerDetail } from '../auth/worker-detail.js';
import { workerEarnings } from '../rounds/worker-earnings.js';
import { apiKeyProcedure, signedProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

export const workersRouter = router({
  /** A node registers its staking key (proved by the signature) with its wallet and GitHub user. */
  register: signedProcedure(
    z.object({
      mainWalletKey: StakingKeySchema.optional(),
      githubUsername: z.string().min(1).max(39).optional(),
    }),
    { requireStake: false },
  ).mutation(({ ctx, input }) =>
    ctx.transact(() =>
      registerWorker(ctx.core, {
        stakingKey: ctx.stakingKey,
        mainWalletKey: input.payload.mainWalletKey,
        githubUsername: input.payload.githubUsername,
      }),
    ),
  ),
  /**
   * The calling key's balance, rewards and slashes, submissions and audits by outcome, and what
   * its latest rounds paid. Open to a key below the minimum stake: its past earnings are still its own.
   */
  earnings: signedProcedure(z.object({ rounds: z.number().int().min(1).max(100).default(10) }), { requireStake: false }).mutation(({ ctx, input }) =>
    workerEarnings(ctx.core, ctx.stakingKey, input.payload.rounds),
  ),
  /** What the coordinator knows about the calling key (registration, stake). */
  me: signedProcedure(z.object({}), { requireStake: false }).mutation(({ ctx }) => findWorker(ctx.core, ctx.stakingKey) ?? null),
  setStake: apiKeyProcedure
    .input(z.object({ stakingKey: StakingKeySchema, stake: BaseUnitsSchema }))
    .mutation(({ ctx, input }) => setStake(ctx.core, input.stakingKey, input.stake)),
  /** One page of registered workers (`nextAfter` continues it). */
  list: apiKeyProcedure.input(ListWorkersInputSchema).query(({ ctx, input }) => listWorkers(ctx.core, input)),
  /** One worker for its operator's questions: registration, claims, the leases it holds now, its earnings. */
  get: apiKeyProcedure
    .input(z.object({ stakingKey: StakingKeySchema, rounds: z.number().int().min(1).max(100).default(10) }))
    .query(({ ctx, input }) => workerDetail(ctx.core, input.stakingKey, input.rounds)),
  /** How many are registered, staked enough to work, and active in the last 10 minutes. */
  summary: apiKeyProcedure.query(({ ctx }) => summarizeWorkers(ctx.core)),
});
