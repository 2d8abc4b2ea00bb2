import { z } from 'zod';
import { SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { availableModels, availableSwarmTypes } from '../swarm-api/catalog.js';
import { runAgentCompletion, AgentCompletionInputSchema } from '../swarm-api/run-agent-completion.js';
import { runSwarmForApi } from '../swarm-api/run-swarm-for-api.js';
import { listSwarmRuns } from '../swarm-api/swarm-logs.js';
import type { SwarmEvent, SwarmResult } from '../swarms/index.js';
import { apiKeyProcedure } from '../trpc/procedures.js';
import { router } from '../trpc/trpc.js';

export const swarmsRouter = router({
  /** Runs a swarm on the coordinator and returns the whole result. */
  run: apiKeyProcedure.input(SwarmSpecSchema).mutation(({ ctx, input }) => runSwarmForApi(ctx.core, ctx.core.swarmApi, ctx.apiKeyId, input)),
  agent: apiKeyProcedure
    .input(AgentCompletionInputSchema)
    .mutation(({ ctx, input }) => runAgentCompletion(ctx.core, ctx.core.swarmApi, ctx.apiKeyId, input)),
  /** Runs a swarm and streams its events (swarm_start, agent_start, token, agent_end, swarm_end, error), then the result. */
  stream: apiKeyProcedure.input(SwarmSpecSchema).subscription(async function* ({ ctx, input, signal }) {
    const pending: ({ kind: 'event'; event: SwarmEvent } | { kind: 'result'; result: SwarmResult } | { kind: 'error'; error: unknown })[] = [];
    let wake: (() => void) | undefined;
    const push = (item: (typeof pending)[number]) => {
      pending.push(item);
      wake?.();
    };
    void runSwarmForApi(ctx.core, ctx.core.swarmApi, ctx.apiKeyId, input, {
      onEvent: (event) => push({ kind: 'event', event }),
      ...(signal ? { signal } : {}),
    }).then(
      (result) => push({ kind: 'result', result }),
      (error: unknown) => push({ kind: 'error', error }),
    );
    for (;;) {
      if (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = pending.shift()!;
      if (item.kind === 'event') yield { type: 'event' as const, event: item.event };
      else if (item.kind === 'result') {
        yield { type: 'result' as const, result: item.result };
        return;
      } else throw item.error;
    }
  }),
  types: apiKeyProcedure.query(() => availableSwarmTypes()),
  models: apiKeyProcedure.query(({ ctx }) => availableModels(ctx.core.swarmApi.providers)),
  logs: apiKeyProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => listSwarmRuns(ctx.core, ctx.apiKeyId, input.limit)),
});
