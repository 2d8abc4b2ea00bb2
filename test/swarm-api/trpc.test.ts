import { createTRPCClient, createWSClient, httpBatchLink, wsLink, TRPCClientError } from '@trpc/client';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import type { AppRouter } from '../../server/routers/_app.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('swarms.* over tRPC', () => {
  it('runs, lists logs, and rejects a bad flow with BAD_REQUEST naming the token', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${t.url}/trpc`, headers: { 'x-api-key': t.apiKey } })] });
    const result = await trpc.swarms.run.mutate({
      ...EXAMPLE_SWARM_SPEC,
      swarm_type: 'SequentialWorkflow',
      agents: [EXAMPLE_SWARM_SPEC.agents[0]!, { agent_name: 'Risk Officer', model_name: 'gpt-4o' }],
    });
    expect(result.output.map((m) => m.role)).toEqual(['Market Analyst', 'Risk Officer']);
    expect((await trpc.swarms.logs.query()).map((l) => l.id)).toEqual([result.job_id]);
    expect(await trpc.swarms.types.query()).toContain('MajorityVoting');
    const error = await trpc.swarms.run
      .mutate({ ...EXAMPLE_SWARM_SPEC, swarm_type: 'AgentRearrange', rearrange_flow: 'Market Analyst -> H' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
    expect((error as Error).message).toMatch(/"H"|H/);
  });

  it('streams a run: swarm_start, agent events, swarm_end, then the result', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const ws = createWSClient({ url: `${t.url.replace('http', 'ws')}/trpc`, WebSocket: WebSocket as never, connectionParams: { apiKey: t.apiKey } });
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const items: { type: string; event?: { type: string }; result?: { final: string } }[] = [];
    await new Promise<void>((resolve, reject) => {
      trpc.swarms.stream.subscribe(EXAMPLE_SWARM_SPEC, {
        onData: (item) => {
          items.push(item as never);
          if (item.type === 'result') resolve();
        },
        onError: reject,
      });
    });
    await ws.close();
    const types = items.filter((i) => i.type === 'event').map((i) => i.event!.type);
    expect(types[0]).toBe('swarm_start');
    expect(types).toContain('agent_start');
    expect(types).toContain('agent_end');
    expect(types.at(-1)).toBe('swarm_end');
    expect(items.at(-1)!.result!.final.length).toBeGreaterThan(0);
  });
});
