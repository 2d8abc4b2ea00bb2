import { join } from 'node:path';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createOperatorClient } from '../../client/operator-client.js';
import { wsUrlOf } from '../../client/worker-client.js';
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from '../../server/auth/api-keys.js';
import { createTodo } from '../../server/queue/index.js';
import type { AppRouter } from '../../server/routers/_app.js';
import { expectDomainError, expectTrpcError, openTestCore, todoInput } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

const T0 = Date.UTC(2030, 0, 1);

describe('API keys that expire', () => {
  it('work until their time, then are refused saying when they expired; a time in the past is refused at creation', () => {
    using core = openTestCore();
    const { key, info } = createApiKey(core, 'partner', 'read', T0, T0 + 1000);
    expect(info).toMatchObject({ expiresAt: T0 + 1000, scope: 'read' });
    expect(verifyApiKey(core, key, T0 + 999).id).toBe(info.id);
    const expired = expectDomainError(() => verifyApiKey(core, key, T0 + 1000), 'API_KEY_INVALID');
    expect(expired.message).toBe(`API key ${info.id} expired at 2030-01-01T00:00:01.000Z: create another (swarmtask keys create)`);
    expect(listApiKeys(core).find((k) => k.id === info.id)).toMatchObject({ expiresAt: T0 + 1000 });
    expectDomainError(() => createApiKey(core, 'late', 'admin', T0, T0), 'INVALID_INPUT', /^expiresAt 2030-01-01T00:00:00\.000Z is not in the future$/);
    // A key without an expiry never expires.
    const forever = createApiKey(core, 'ops', 'admin', T0);
    expect(verifyApiKey(core, forever.key, T0 + 100 * 365 * 86_400_000).expiresAt).toBeNull();
  });

  it('ending a key ends what it had open: calls on its WebSocket, its subscriptions, HTTP and REST', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const { key, info } = createApiKey(core, 'dashboard', 'read', Date.now(), Date.now() + 3_600_000);
    const expire = () => core.sqlite.prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?').run(Date.now() - 1, info.id);

    // A subscription and a WebSocket query, both authenticated when the socket opened.
    const operator = createOperatorClient({ url: t.url, apiKey: key, retryDelayMs: () => 50 });
    const seen: number[] = [];
    const errors: unknown[] = [];
    const sub = operator.trpc.events.on.subscribe({ types: ['todo.created'] }, { onData: ({ id }) => seen.push(Number(id)), onError: (error) => errors.push(error) });
    const wsClient = createWSClient({ url: wsUrlOf(t.url), WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, connectionParams: { apiKey: key } });
    const overSocket = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    try {
      expect(await overSocket.todos.counts.query()).toEqual({});
      await vi.waitFor(() => expect(t.coordinator.wss.clients.size).toBe(2));
      createTodo(core, todoInput());
      await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000, interval: 10 });

      expire();
      await expectTrpcError(overSocket.todos.counts.query(), { code: 'UNAUTHORIZED', message: /expired at/ });
      createTodo(core, todoInput()); // the next event ends the subscription instead of reaching it
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000, interval: 10 });
      expect(String((errors[0] as Error).message)).toMatch(new RegExp(`^API key ${info.id} expired at `));
      expect(seen).toHaveLength(1);

      await expectTrpcError(createOperatorClient({ url: t.url, apiKey: key }).trpc.todos.counts.query(), { code: 'UNAUTHORIZED', httpStatus: 401, message: /expired at/ });
      const rest = await fetch(`${t.url}/v1/swarm/logs`, { headers: { 'x-api-key': key } });
      expect(rest.status).toBe(403); // as the Swarms API answers a bad key
      expect(((await rest.json()) as { detail: string }).detail).toMatch(new RegExp(`^Invalid API Key: API key ${info.id} expired at `));

      // Revoking does the same to an open socket.
      const other = createApiKey(core, 'second', 'read');
      const otherWs = createWSClient({ url: wsUrlOf(t.url), WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, connectionParams: { apiKey: other.key } });
      const otherClient = createTRPCClient<AppRouter>({ links: [wsLink({ client: otherWs })] });
      expect(await otherClient.todos.counts.query()).toMatchObject({ initialized: 2 });
      revokeApiKey(core, other.info.id);
      await expectTrpcError(otherClient.todos.counts.query(), { code: 'UNAUTHORIZED', message: /was revoked/ });
      await otherWs.close();
    } finally {
      sub.unsubscribe();
      await operator.close();
      await wsClient.close();
    }
  });

  it('swarmtask keys create --expires: a delay or a date; keys list shows it; a bad value exits 2', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const made = await runCli(['keys', 'create', '--name', 'partner', '--expires', '30d', '--data', data]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^sk_\w{12}_[\w-]{43}\n\(id \w{12}, admin, expires \d{4}-\d\d-\d\dT[\d:.]+Z; store it now, it is not shown again\)\n$/);
    const json = JSON.parse((await runCli(['keys', 'list', '--data', data, '--json'])).stdout) as { expiresAt: number | null; createdAt: number }[];
    expect(json).toHaveLength(1);
    const days = (json[0]!.expiresAt! - json[0]!.createdAt) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    const bad = await runCli(['keys', 'create', '--name', 'x', '--expires', 'someday', '--data', data]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--expires must be now, a delay like 30m, 2h or 1d, or an ISO date-time, got "someday"') });
  });
});
