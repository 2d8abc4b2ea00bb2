import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { generateKeypair } from '../../shared/keypair.js';
import type { AppRouter } from '../../server/routers/_app.js';
import { apiClient, eventCounts, expectTrpcError, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('read-only API keys', () => {
  it('read everything a dashboard shows and nothing else: no state change, no swarm run, no new key, on any face', async () => {
    await using t = await startTestCoordinator();
    const admin = apiClient(t.url, t.apiKey);
    await admin.todos.create.mutate(todoInput());
    const { key: readKey, info } = await admin.apiKeys.create.mutate({ name: 'dashboard', scope: 'read' });
    expect(info.scope).toBe('read');
    expect((await admin.apiKeys.list.query()).map((k) => [k.name, k.scope])).toEqual([
      ['test', 'admin'],
      ['dashboard', 'read'],
    ]);

    const reader = apiClient(t.url, readKey);
    expect(await reader.todos.counts.query()).toEqual({ initialized: 1 });
    expect((await reader.todos.list.query({})).todos).toHaveLength(1);
    expect(await reader.workers.summary.query()).toMatchObject({ registered: 0 });
    expect((await reader.events.list.query({ afterId: 0, limit: 10 })).length).toBeGreaterThan(0);

    const before = eventCounts(t.coordinator.core);
    const refused = { code: 'FORBIDDEN', reason: 'API_KEY_READ_ONLY', httpStatus: 403 } as const;
    for (const [path, call] of [
      ['todos.create', reader.todos.create.mutate(todoInput())],
      ['todos.cancel', reader.todos.cancel.mutate({ id: 1 })],
      ['workers.setStake', reader.workers.setStake.mutate({ stakingKey: generateKeypair().publicKeyBase58, stake: 1 })],
      // No way up: a read key cannot make an admin key or revoke the admin's.
      ['apiKeys.create', reader.apiKeys.create.mutate({ name: 'escalate', scope: 'admin' })],
      ['apiKeys.revoke', reader.apiKeys.revoke.mutate({ id: info.id })],
      ['swarms.run', reader.swarms.run.mutate(EXAMPLE_SWARM_SPEC)],
    ] as const) {
      await expectTrpcError(call, { ...refused, message: new RegExp(`^API key ${info.id} is read-only and ${path.replace('.', '\\.')} changes state or runs work: use an admin key$`) });
    }
    expect(eventCounts(t.coordinator.core)).toEqual(before);
    expect(await admin.todos.counts.query()).toEqual({ initialized: 1 });

    // The Swarms-API REST face: reads yes, runs no.
    expect((await fetch(`${t.url}/v1/swarms/available`, { headers: { 'x-api-key': readKey } })).status).toBe(200);
    const run = await fetch(`${t.url}/v1/swarm/completions`, {
      method: 'POST',
      headers: { 'x-api-key': readKey, 'content-type': 'application/json' },
      body: JSON.stringify(EXAMPLE_SWARM_SPEC),
    });
    expect(run.status).toBe(403);
    expect(((await run.json()) as { detail: string }).detail).toBe(`API key ${info.id} is read-only and POST /v1/swarm/completions changes state or runs work: use an admin key`);

    // A WebSocket opened with the read key: queries work, a swarm stream (which runs a swarm) does not.
    const ws = createWSClient({ url: `${t.url.replace('http', 'ws')}/trpc`, WebSocket: WebSocket as never, connectionParams: { apiKey: readKey } });
    try {
      const overWs = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
      expect(await overWs.todos.counts.query()).toEqual({ initialized: 1 });
      const streamed = new Promise<unknown>((resolve) => {
        const sub = overWs.swarms.stream.subscribe(EXAMPLE_SWARM_SPEC, {
          onData: () => undefined,
          onError: (error) => {
            sub.unsubscribe();
            resolve(error);
          },
        });
      });
      await expectTrpcError(streamed.then((error) => Promise.reject(error)), refused);
    } finally {
      await ws.close();
    }
  });
});
