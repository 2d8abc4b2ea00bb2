import { tracked } from '@trpc/server';
import { z } from 'zod';
import {
  ClaimPayloadSchema,
  CreateTodoInputSchema,
  CreateTodosInputSchema,
  HeartbeatPayloadSchema,
  ListTodosInputSchema,
  RedriveFailedInputSchema,
  ReleasePayloadSchema,
  DeclinePayloadSchema,
  ReportAndClaimPayloadSchema,
  ReportFailuresPayloadSchema,
  ReportResultsPayloadSchema,
  TodoIdSchema,
  UpdateTodoInputSchema,
  CancelMatchingInputSchema,
} from '../../shared/todo-schemas.js';
import {
  cancelTodo,
  cancelMatchingTodos,
  claimTodos,
  countTodosByStatus,
  createTodo,
  createTodos,
  getTodo,
  todoHistory,
  heartbeatLeases,
  listTodos,
  redriveTodo,
  redriveFailedTodos,
  releaseLeases,
  declineLeases,
  reportFailures,
  reportResults,
  updateTodo,
} from '../queue/index.js';
import { touchWorker, type WorkerRecord } from '../auth/workers.js';
import type { Core } from '../core.js';
import { oldestClaimableAt } from '../queue/oldest-claimable.js';
import { apiKeyProcedure, signedProcedure, subscriberProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';
import { subscribeToEvents } from './subscribe-to-events.js';

/**
 * The claim half of `claim` and `reportAndClaim`. It also marks the worker as active, so auditor
 * selection prefers running nodes; the GitHub login registered for the key wins over one sent.
 */
function claimForWorker(
  ctx: { core: Core; stakingKey: string; worker: WorkerRecord | null },
  payload: z.output<typeof ClaimPayloadSchema>,
) {
  touchWorker(ctx.core, ctx.stakingKey);
  return claimTodos(ctx.core, {
    stakingKey: ctx.stakingKey,
    githubUsername: ctx.worker?.githubUsername ?? payload.githubUsername,
    max: payload.max,
    filter: payload,
  });
}

const ByIdSchema = z.object({ id: TodoIdSchema });

export const todosRouter = router({
  create: apiKeyProcedure.input(CreateTodoInputSchema).mutation(({ ctx, input }) => createTodo(ctx.core, input)),
  /** Up to 1000 todos in one transaction: all or none (`swarmtask todo import`). */
  createMany: apiKeyProcedure.input(CreateTodosInputSchema).mutation(({ ctx, input }) => createTodos(ctx.core, input.todos)),
  list: apiKeyProcedure.input(ListTodosInputSchema).query(({ ctx, input }) => listTodos(ctx.core, input)),
  get: apiKeyProcedure.input(ByIdSchema).query(({ ctx, input }) => getTodo(ctx.core, input.id)),
  /** Every claim of the todo and how it ended (`todo show`). */
  history: apiKeyProcedure.input(ByIdSchema).query(({ ctx, input }) => todoHistory(ctx.core, input.id)),
  counts: apiKeyProcedure.query(({ ctx }) => countTodosByStatus(ctx.core)),
  /** When the longest-waiting claimable todo became claimable (null: none waits), with the server's clock. */
  oldestClaimable: apiKeyProcedure.query(({ ctx }) => {
    const now = Date.now();
    return { availableAt: oldestClaimableAt(ctx.core, now), now };
  }),
  cancel: apiKeyProcedure.input(ByIdSchema).mutation(({ ctx, input }) => cancelTodo(ctx.core, input.id)),
  /** Every queued or held todo matching the filter cancelled in one transaction (or, with dryRun, which ones would be). */
  cancelMatching: apiKeyProcedure.input(CancelMatchingInputSchema).mutation(({ ctx, input }) => cancelMatchingTodos(ctx.core, input)),
  redrive: apiKeyProcedure.input(ByIdSchema).mutation(({ ctx, input }) => redriveTodo(ctx.core, input.id)),
  /** Priority, reward or claimable time of a todo after it was created; answers the todo and what changed. */
  update: apiKeyProcedure.input(UpdateTodoInputSchema).mutation(({ ctx, input }) => updateTodo(ctx.core, input)),
  /** Every failed todo matching the filter back in the queue, in one transaction (or, with dryRun, which ones would be). */
  redriveFailed: apiKeyProcedure.input(RedriveFailedInputSchema).mutation(({ ctx, input }) => redriveFailedTodos(ctx.core, input)),

  claim: signedProcedure(ClaimPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => claimForWorker(ctx, input.payload), input.payload.max),
  ),
  /** Reports finished work and claims more in one round trip and one transaction. */
  reportAndClaim: signedProcedure(ReportAndClaimPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(
      () => ({
        reported: reportResults(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.results),
        claimed: claimForWorker(ctx, input.payload),
      }),
      input.payload.results.length + input.payload.max,
    ),
  ),
  heartbeat: signedProcedure(HeartbeatPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => heartbeatLeases(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.leases), input.payload.leases.length),
  ),
  reportResults: signedProcedure(ReportResultsPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => reportResults(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.results), input.payload.results.length),
  ),
  reportFailures: signedProcedure(ReportFailuresPayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => reportFailures(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.failures), input.payload.failures.length),
  ),
  release: signedProcedure(ReleasePayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => releaseLeases(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.leases), input.payload.leases.length),
  ),
  decline: signedProcedure(DeclinePayloadSchema).mutation(({ ctx, input }) =>
    ctx.transact(() => declineLeases(ctx.core, { stakingKey: ctx.stakingKey }, input.payload.declines), input.payload.declines.length),
  ),

  /** Announces todos that became claimable (created, returned, scheduled time reached, redriven). */
  onAvailable: subscriberProcedure
    .input(z.object({ lastEventId: z.string().regex(/^\d+$/).nullish() }).default({}))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const event of subscribeToEvents(ctx, input.lastEventId, signal, (e) => e.type === 'todo.available')) {
        yield tracked(String(event.id), event.data as { todoId: number; priority: number; reward: number | null; swarmType: string | null });
      }
    }),
});
