import { getUntypedClient, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/routers/_app.js';
import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { wsUrlOf } from '../../client/worker-client.js';
import { createApiKey, revokeApiKey } from '../../server/auth/api-keys.js';
import { registerWorker, setStake } from '../../server/auth/workers.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { signEnvelope } from '../../shared/envelope.js';
import { generateKeypair, type Keypair } from '../../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import {
  apiClient,
  errorData,
  expectTrpcError,
  rawTrpc,
  signedInput,
  todoInput,
  type ExpectedError,
} from '../helpers/api.js';
import { startTestCoordinator, type TestCoordinator } from '../helpers/coordinator.js';

type Transport = 'http' | 'ws';
const TRANSPORTS: Transport[] = ['http', 'ws'];

/**
 * Sends a hand-made signed input to a procedure: over HTTP (plain fetch in tRPC's wire format,
 * so the status code is checked too) or through an authenticated worker's WebSocket.
 */
async function sendSigned(t: TestCoordinator, transport: Transport, path: string, input: unknown): Promise<unknown> {
  if (transport === 'ws') {
    const connection = t.workerClient(t.stakedWorker());
    return getUntypedClient(connection.trpc).mutation(path, input);
  }
  return getUntypedClient(apiClient(t.url)).mutation(path, input);
}

/** The HTTP status a raw POST of `input` to `path` gets, with its error data. */
async function httpRejection(t: TestCoordinator, path: string, input: unknown) {
  const response = await rawTrpc(t.url, path, { input });
  return { status: response.status, data: errorData(response), message: (response.json as { error?: { message?: string } }).error?.message };
}

async function expectRejected(
  t: TestCoordinator,
  transport: Transport,
  path: string,
  makeInput: () => unknown,
  expected: ExpectedError & { httpStatus: number },
): Promise<void> {
  await expectTrpcError(sendSigned(t, transport, path, makeInput()), expected);
  if (transport === 'http') {
    const raw = await httpRejection(t, path, makeInput());
    expect(raw.status).toBe(expected.httpStatus);
    expect(raw.data).toMatchObject({ code: expected.code, reason: expected.reason });
    if (expected.message) expect(raw.message).toMatch(expected.message);
  }
}

describe.each(TRANSPORTS)('signed worker calls over %s', (transport) => {
  it('forged signature → UNAUTHORIZED / SIGNATURE_INVALID', async () => {
    await using t = await startTestCoordinator();
    const { todo } = createTodo(t.coordinator.core, todoInput());
    const worker = t.stakedWorker();
    const expected = { code: 'UNAUTHORIZED', reason: 'SIGNATURE_INVALID', message: /signature does not verify/, httpStatus: 401 };
    // A payload changed after signing.
    await expectRejected(t, transport, 'todos.claim', () => {
      const envelope = signedInput(worker, 'todos.claim', { max: 1 });
      return { ...envelope, payload: { ...envelope.payload, max: 2 } };
    }, expected);
    // Someone else's key signing in a staked worker's name.
    const impostor = generateKeypair();
    await expectRejected(t, transport, 'todos.claim', () => ({ ...signedInput(impostor, 'todos.claim', { max: 1 }), stakingKey: worker.publicKeyBase58 }), expected);
    expect(getTodo(t.coordinator.core, todo.id).status).toBe('initialized');
  });

  it('replayed nonce → CONFLICT / NONCE_REPLAYED', async () => {
    await using t = await startTestCoordinator();
    const { todo } = createTodo(t.coordinator.core, todoInput());
    const worker = t.stakedWorker();
    const envelope = signedInput(worker, 'todos.claim', { max: 1 });
    const first = (await sendSigned(t, transport, 'todos.claim', envelope)) as { todoId: number }[];
    expect(first.map((c) => c.todoId)).toEqual([todo.id]);
    createTodo(t.coordinator.core, todoInput());
    await expectRejected(t, transport, 'todos.claim', () => envelope, {
      code: 'CONFLICT',
      reason: 'NONCE_REPLAYED',
      message: new RegExp(`payload.nonce "${envelope.payload.nonce}" was already used`),
      httpStatus: 409,
    });
    // The replay claimed nothing.
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM assignments').get()).toEqual({ n: 1 });
  });

  it('stale or future timestamp → UNAUTHORIZED / TIMESTAMP_OUT_OF_WINDOW', async () => {
    await using t = await startTestCoordinator();
    const worker = t.stakedWorker();
    const window = t.coordinator.core.auth.signatureWindowMs;
    await expectRejected(t, transport, 'todos.claim', () => signedInput(worker, 'todos.claim', { max: 1 }, { timestamp: Date.now() - window - 60_000 }), {
      code: 'UNAUTHORIZED',
      reason: 'TIMESTAMP_OUT_OF_WINDOW',
      message: /payload\.timestamp is 180 s old; accepted window is ±120 s/,
      httpStatus: 401,
    });
    // The refusal carries the coordinator's clock, from which a worker corrects its own.
    const before = Date.now();
    const refused = await sendSigned(t, transport, 'todos.claim', signedInput(worker, 'todos.claim', { max: 1 }, { timestamp: before - window - 60_000 })).catch((error: unknown) => error);
    const serverTimeMs = (refused as TRPCClientError<AppRouter>).data?.serverTimeMs;
    expect(serverTimeMs).toBeGreaterThanOrEqual(before);
    expect(serverTimeMs).toBeLessThanOrEqual(Date.now());
    await expectRejected(t, transport, 'todos.claim', () => signedInput(worker, 'todos.claim', { max: 1 }, { timestamp: Date.now() + window + 60_000 }), {
      code: 'UNAUTHORIZED',
      reason: 'TIMESTAMP_OUT_OF_WINDOW',
      message: /in the future/,
      httpStatus: 401,
    });
  });

  it('unknown staking key → NOT_FOUND / STAKING_KEY_UNKNOWN', async () => {
    await using t = await startTestCoordinator();
    const stranger = generateKeypair();
    await expectRejected(t, transport, 'todos.claim', () => signedInput(stranger, 'todos.claim', { max: 1 }), {
      code: 'NOT_FOUND',
      reason: 'STAKING_KEY_UNKNOWN',
      message: new RegExp(`staking key ${stranger.publicKeyBase58} is not registered`),
      httpStatus: 404,
    });
  });

  it('under-staked key → FORBIDDEN / STAKE_TOO_LOW (and the refused nonce is not burnt)', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const poor = generateKeypair();
    registerWorker(core, { stakingKey: poor.publicKeyBase58 });
    setStake(core, poor.publicKeyBase58, core.auth.minStake - 1);
    const envelope = signedInput(poor, 'todos.claim', { max: 1 });
    await expectRejected(t, transport, 'todos.claim', () => envelope, {
      code: 'FORBIDDEN',
      reason: 'STAKE_TOO_LOW',
      message: new RegExp(
        `has stake ${formatSwarms(core.auth.minStake - 1)}, below the minimum of ${formatSwarms(core.auth.minStake)} \\(${core.auth.minStake} base units\\)`,
      ),
      httpStatus: 403,
    });
    // Registered with no stake at all is refused the same way.
    const unstaked = generateKeypair();
    registerWorker(core, { stakingKey: unstaked.publicKeyBase58 });
    await expectTrpcError(sendSigned(t, transport, 'todos.claim', signedInput(unstaked, 'todos.claim', { max: 1 })), {
      code: 'FORBIDDEN',
      reason: 'STAKE_TOO_LOW',
    });
    // Once staked, the very same signed request goes through.
    setStake(core, poor.publicKeyBase58, core.auth.minStake);
    expect(await sendSigned(t, transport, 'todos.claim', envelope)).toEqual([]);
  });

  it('wrong task id → FORBIDDEN / TASK_ID_MISMATCH', async () => {
    await using t = await startTestCoordinator();
    const worker = t.stakedWorker();
    await expectRejected(t, transport, 'todos.claim', () => signedInput(worker, 'todos.claim', { max: 1 }, { taskId: 'someone-elses-task' }), {
      code: 'FORBIDDEN',
      reason: 'TASK_ID_MISMATCH',
      message: /payload\.taskId "someone-elses-task" is not this coordinator's task id "test-task"/,
      httpStatus: 403,
    });
  });

  it('wrong action → FORBIDDEN / ACTION_MISMATCH', async () => {
    await using t = await startTestCoordinator();
    const { todo } = createTodo(t.coordinator.core, todoInput());
    const worker = t.stakedWorker();
    // A heartbeat's signature presented to todos.release (same payload shape) must not release the lease.
    const claim = (await sendSigned(t, transport, 'todos.claim', signedInput(worker, 'todos.claim', { max: 1 }))) as {
      todoId: number;
      leaseToken: string;
    }[];
    const leases = [{ todoId: claim[0]!.todoId, leaseToken: claim[0]!.leaseToken }];
    await expectRejected(t, transport, 'todos.release', () => signedInput(worker, 'todos.release', { leases }, { action: 'todos.heartbeat' }), {
      code: 'FORBIDDEN',
      reason: 'ACTION_MISMATCH',
      message: /payload\.action is "todos\.heartbeat" but this procedure is "todos\.release"/,
      httpStatus: 403,
    });
    expect(getTodo(t.coordinator.core, todo.id).status).toBe('in_progress');
  });

  it('bad input → BAD_REQUEST with the zod field path', async () => {
    await using t = await startTestCoordinator();
    const worker = t.stakedWorker();
    for (const max of [0, 101, 1.5]) {
      const error = await expectTrpcError(sendSigned(t, transport, 'todos.claim', signedInput(worker, 'todos.claim', { max })), {
        code: 'BAD_REQUEST',
        reason: 'INVALID_INPUT',
        message: /^payload\.max: /,
        httpStatus: 400,
      });
      expect(error.data?.issues?.[0]?.path).toBe('payload.max');
    }
    const leaseError = await expectTrpcError(
      sendSigned(t, transport, 'todos.heartbeat', signedInput(worker, 'todos.heartbeat', { leases: [{ todoId: -1, leaseToken: 'x'.repeat(20) }] })),
      { code: 'BAD_REQUEST', reason: 'INVALID_INPUT', message: /payload\.leases\.0\.todoId/ },
    );
    expect(leaseError.data?.issues?.map((i) => i.path)).toEqual(['payload.leases.0.todoId']);
    const keyError = await expectTrpcError(sendSigned(t, transport, 'todos.claim', { ...signedInput(worker, 'todos.claim', {}), stakingKey: 'not a key' }), {
      code: 'BAD_REQUEST',
      message: /stakingKey/,
    });
    expect(keyError.data?.issues?.[0]?.path).toBe('stakingKey');
    if (transport === 'http') {
      const raw = await httpRejection(t, 'todos.claim', signedInput(worker, 'todos.claim', { max: 0 }));
      expect(raw.status).toBe(400);
      expect(raw.data.issues?.[0]?.path).toBe('payload.max');
    }
  });
});

describe('API keys', () => {
  it('missing API key → UNAUTHORIZED / API_KEY_MISSING', async () => {
    await using t = await startTestCoordinator();
    await expectTrpcError(apiClient(t.url).todos.list.query({}), {
      code: 'UNAUTHORIZED',
      reason: 'API_KEY_MISSING',
      message: /an API key is required/,
      httpStatus: 401,
    });
    const raw = await rawTrpc(t.url, 'todos.create', { input: { spec: EXAMPLE_SWARM_SPEC } });
    expect(raw.status).toBe(401);
    expect(errorData(raw)).toMatchObject({ code: 'UNAUTHORIZED', reason: 'API_KEY_MISSING' });
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM todos').get()).toEqual({ n: 0 });
    // An anonymous WebSocket (no connectionParams) gets the same answer.
    const anonymous = new WebSocket(wsUrlOf(t.url));
    await once(anonymous, 'open');
    anonymous.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'todos.list', input: {} } }));
    const [reply] = (await once(anonymous, 'message')) as [Buffer];
    expect(JSON.parse(reply.toString())).toMatchObject({ id: 1, error: { data: { code: 'UNAUTHORIZED', reason: 'API_KEY_MISSING' } } });
    anonymous.close();
  });

  it('malformed, unknown and revoked API keys → UNAUTHORIZED / API_KEY_INVALID', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    await expectTrpcError(apiClient(t.url, 'not-a-key').todos.list.query({}), {
      code: 'UNAUTHORIZED',
      reason: 'API_KEY_INVALID',
      message: /the API key is not valid/,
      httpStatus: 401,
    });
    // Right shape, right id, wrong secret.
    const tampered = t.apiKey.slice(0, -4) + (t.apiKey.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expectTrpcError(apiClient(t.url, tampered).todos.list.query({}), { code: 'UNAUTHORIZED', reason: 'API_KEY_INVALID' });
    const { key, info } = createApiKey(core, 'short-lived');
    expect(await apiClient(t.url, key).todos.counts.query()).toEqual({});
    revokeApiKey(core, info.id);
    await expectTrpcError(apiClient(t.url, key).todos.list.query({}), {
      code: 'UNAUTHORIZED',
      reason: 'API_KEY_INVALID',
      message: new RegExp(`API key ${info.id} was revoked`),
    });
    const bearer = await fetch(`${t.url}/trpc/todos.counts`, { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(401);
    const good = await fetch(`${t.url}/trpc/todos.counts`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(good.status).toBe(200);
  });

  it('bad API input → BAD_REQUEST naming the field', async () => {
    await using t = await startTestCoordinator();
    const api = apiClient(t.url, t.apiKey);
    const priority = await expectTrpcError(api.todos.create.mutate({ spec: EXAMPLE_SWARM_SPEC, priority: 5000 }), {
      code: 'BAD_REQUEST',
      reason: 'INVALID_INPUT',
      message: /^priority: /,
      httpStatus: 400,
    });
    expect(priority.data?.issues?.[0]?.path).toBe('priority');
    const agents = await expectTrpcError(api.todos.create.mutate({ spec: { ...EXAMPLE_SWARM_SPEC, agents: [] } }), {
      code: 'BAD_REQUEST',
      message: /spec\.agents/,
    });
    expect(agents.data?.issues?.[0]?.path).toBe('spec.agents');
    const swarmType = await expectTrpcError(api.todos.create.mutate({ spec: { ...EXAMPLE_SWARM_SPEC, swarm_type: 'NoSuchSwarm' } }), {
      code: 'BAD_REQUEST',
      message: /unknown swarm type "NoSuchSwarm"/,
    });
    expect(swarmType.data?.issues?.[0]?.path).toBe('spec.swarm_type');
    const raw = await rawTrpc(t.url, 'todos.get', { method: 'GET', input: { id: 'seven' }, apiKey: t.apiKey });
    expect(raw.status).toBe(400);
    expect(errorData(raw).issues?.[0]?.path).toBe('id');
  });
});

describe('WebSocket connectionParams', () => {
  /** Opens a raw socket, sends `params` as connectionParams and returns the server's first answer and the close. */
  async function connectWith(t: TestCoordinator, params: Record<string, unknown>) {
    const ws = new WebSocket(`${wsUrlOf(t.url)}?connectionParams=1`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const messages: unknown[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await once(ws, 'open');
    ws.send(JSON.stringify({ method: 'connectionParams', data: params }));
    // A call sent right behind the params must not be served on a rejected connection.
    ws.send(JSON.stringify({ id: 7, method: 'query', params: { path: 'health.check' } }));
    await closed;
    return messages as { id: number | null; error?: { message: string; data: { code: string; reason: string | null } }; result?: unknown }[];
  }

  function signedConnect(keypair: Keypair, meta: { action?: string; taskId?: string; timestamp?: number } = {}) {
    const envelope = signEnvelope({}, { action: meta.action ?? 'ws.connect', taskId: meta.taskId ?? 'test-task', timestamp: meta.timestamp }, keypair);
    return { payload: JSON.stringify(envelope.payload), stakingKey: envelope.stakingKey, signature: envelope.signature };
  }

  it('rejects each bad kind of connectionParams with its reason and closes the socket', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const staked = t.stakedWorker();
    const revoked = createApiKey(core, 'gone');
    revokeApiKey(core, revoked.info.id);
    const forged = signedConnect(staked);
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['garbage', { hello: 'world' }, 'CONNECTION_NOT_AUTHENTICATED', /connectionParams must be/],
      ['payload that is not JSON', { ...forged, payload: '{nope' }, 'CONNECTION_NOT_AUTHENTICATED', /not JSON/],
      ['forged signature', { ...forged, payload: forged.payload.replace('ws.connect', 'ws.connecT') }, 'SIGNATURE_INVALID', /signature does not verify/],
      ['unknown key', signedConnect(generateKeypair()), 'STAKING_KEY_UNKNOWN', /not registered/],
      ['wrong task id', signedConnect(staked, { taskId: 'other' }), 'TASK_ID_MISMATCH', /taskId "other"/],
      ['wrong action', signedConnect(staked, { action: 'todos.claim' }), 'ACTION_MISMATCH', /"todos\.claim"/],
      ['stale timestamp', signedConnect(staked, { timestamp: Date.now() - 3_600_000 }), 'TIMESTAMP_OUT_OF_WINDOW', /old/],
      ['revoked API key', { apiKey: revoked.key }, 'API_KEY_INVALID', /revoked/],
      ['unknown API key', { apiKey: 'sk_nothing' }, 'API_KEY_INVALID', /not valid/],
    ];
    for (const [name, params, reason, message] of cases) {
      const messages = await connectWith(t, params);
      const rejection = messages.find((m) => m.id === null);
      expect(rejection, name).toBeDefined();
      expect(rejection!.error!.data, name).toMatchObject({ code: 'UNAUTHORIZED', reason });
      expect(rejection!.error!.message, name).toMatch(message);
      expect(messages.some((m) => m.result !== undefined), `${name}: a call was served`).toBe(false);
    }
    // A replayed ws.connect envelope is refused too.
    const once1 = signedConnect(staked);
    const ok = await new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(`${wsUrlOf(t.url)}?connectionParams=1`);
      ws.on('open', () => {
        ws.send(JSON.stringify({ method: 'connectionParams', data: once1 }));
        ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'health.check' } }));
      });
      ws.on('message', (raw) => {
        resolve(JSON.parse(raw.toString()));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(ok).toMatchObject({ id: 1, result: { type: 'data', data: { ok: true } } });
    const replay = await connectWith(t, once1);
    expect(replay.find((m) => m.id === null)?.error?.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'NONCE_REPLAYED' });
  });

  it('the worker client of an unstaked key never gets a call through', async () => {
    await using t = await startTestCoordinator();
    const unstaked = generateKeypair();
    registerWorker(t.coordinator.core, { stakingKey: unstaked.publicKeyBase58 });
    createTodo(t.coordinator.core, todoInput());
    const closes: { code?: number; refusal?: string }[] = [];
    const client = t.workerClient(unstaked, { onClose: (cause) => closes.push({ ...cause }), retryDelayMs: () => 50, refusedRetryDelayMs: () => 50 });
    // Each connection is refused: a call sent on it gets the refusal (STAKE_TOO_LOW), or, if the
    // socket is already closing or reconnecting, a closed-socket error. It is never served.
    for (let i = 0; i < 3; i++) {
      const error = await client.todos.claim({ max: 1 }).then(
        (value) => {
          throw new Error(`served: ${JSON.stringify(value)}`);
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<AppRouter>).data;
      if (data) expect(data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'STAKE_TOO_LOW' });
    }
    // The client reports why: tRPC's own client drops the server's refusal message.
    await vi.waitFor(() => expect(closes.length).toBeGreaterThanOrEqual(1));
    expect(closes[0]).toEqual({
      code: expect.any(Number),
      refusal: `staking key ${unstaked.publicKeyBase58} has stake 0 SWARMS, below the minimum of ${formatSwarms(t.coordinator.core.auth.minStake)} (${t.coordinator.core.auth.minStake} base units)`,
    });
    await client.close();
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM assignments').get()).toEqual({ n: 0 });
  });

  it('subscriptions need an authenticated connection', async () => {
    await using t = await startTestCoordinator();
    const anonymous = new WebSocket(wsUrlOf(t.url));
    await once(anonymous, 'open');
    anonymous.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'events.on', input: {} } }));
    const [reply] = (await once(anonymous, 'message')) as [Buffer];
    expect(JSON.parse(reply.toString())).toMatchObject({
      id: 1,
      error: { data: { code: 'UNAUTHORIZED', reason: 'CONNECTION_NOT_AUTHENTICATED' } },
    });
    anonymous.close();
  });
});

describe('rate limits and size limits', () => {
  it('API-key limit: HTTP 429 with Retry-After, TOO_MANY_REQUESTS through the client', async () => {
    await using t = await startTestCoordinator({ rateLimitApiKeyPerSecond: 0.01, rateLimitApiKeyBurst: 2 });
    const ok1 = await rawTrpc(t.url, 'todos.list', { method: 'GET', input: {}, apiKey: t.apiKey });
    const ok2 = await rawTrpc(t.url, 'todos.list', { method: 'GET', input: {}, apiKey: t.apiKey });
    expect([ok1.status, ok2.status]).toEqual([200, 200]);
    const limited = await rawTrpc(t.url, 'todos.list', { method: 'GET', input: {}, apiKey: t.apiKey });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(100); // one token per 100 s
    expect(errorData(limited)).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });

    const error = await expectTrpcError(apiClient(t.url, t.apiKey).todos.counts.query(), {
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      message: /rate limit for this API key exceeded/,
      httpStatus: 429,
    });
    expect((error.data as { retryAfterMs?: number } | undefined)?.retryAfterMs).toBeGreaterThan(0);
    // Another key has its own bucket.
    const other = createApiKey(t.coordinator.core, 'other').key;
    expect((await rawTrpc(t.url, 'todos.list', { method: 'GET', input: {}, apiKey: other })).status).toBe(200);
  });

  it('staking-key limit: TOO_MANY_REQUESTS through the worker client', async () => {
    await using t = await startTestCoordinator({ rateLimitStakingKeyPerSecond: 0.01, rateLimitStakingKeyBurst: 2 });
    const keypair = t.stakedWorker();
    const worker = t.workerClient(keypair);
    expect(await worker.todos.claim({ max: 1 })).toEqual([]);
    expect(await worker.todos.claim({ max: 1 })).toEqual([]);
    await expectTrpcError(worker.todos.claim({ max: 1 }), {
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      message: /rate limit for this staking key exceeded/,
    });
    // Over HTTP the same key is limited too, with Retry-After.
    const raw = await rawTrpc(t.url, 'todos.claim', { input: signedInput(keypair, 'todos.claim', { max: 1 }) });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other workers are unaffected.
    expect(await t.workerClient(t.stakedWorker()).todos.claim({ max: 1 })).toEqual([]);
  });

  it('IP limit: HTTP 429 with Retry-After for calls and for WebSocket upgrades', async () => {
    await using t = await startTestCoordinator({ rateLimitIpPerSecond: 0.01, rateLimitIpBurst: 1 });
    expect((await rawTrpc(t.url, 'health.check', { method: 'GET' })).status).toBe(200);
    const limited = await rawTrpc(t.url, 'health.check', { method: 'GET' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(errorData(limited)).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    const ws = new WebSocket(wsUrlOf(t.url));
    const [request, response] = (await once(ws, 'unexpected-response')) as [ClientRequest, IncomingMessage];
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    request.destroy();
  });

  it('a body over the size limit → 413, and the server keeps serving', async () => {
    await using t = await startTestCoordinator({ bodyLimitBytes: 4096 });
    const big = { spec: { ...EXAMPLE_SWARM_SPEC, task: 'x'.repeat(10_000) } };
    const response = await rawTrpc(t.url, 'todos.create', { input: big, apiKey: t.apiKey });
    expect(response.status).toBe(413);
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM todos').get()).toEqual({ n: 0 });
    const small = await rawTrpc(t.url, 'todos.create', { input: { spec: EXAMPLE_SWARM_SPEC }, apiKey: t.apiKey });
    expect(small.status).toBe(200);
    // Over WebSocket the frame limit closes the connection (1009 = message too big).
    const ws = new WebSocket(`${wsUrlOf(t.url)}?connectionParams=1`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ method: 'connectionParams', data: { apiKey: t.apiKey } }));
    ws.send(JSON.stringify({ id: 1, method: 'mutation', params: { path: 'todos.create', input: big } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1009);
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM todos').get()).toEqual({ n: 1 });
  });
});
