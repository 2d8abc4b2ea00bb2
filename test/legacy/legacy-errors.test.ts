import { legacyLeaseMs } from '../../server/rest/legacy/fetch-todo.js';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { setStake } from '../../server/auth/workers.js';
import { createTodo, sweepQueue } from '../../server/queue/index.js';
import { signLegacy } from '../../shared/envelope.js';
import { generateKeypair } from '../../shared/keypair.js';
import { todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { ENDPOINTS, KoiiWorker, postLegacy, stateSnapshot, QUIET } from './legacy-client.js';

const PR = 'https://github.com/koii-labs/docs/pull/7';
const invalidBody = { success: false, message: 'Invalid request body' };
const badSignature = { success: false, message: 'Failed to verify signature' };
const invalidStakingKey = { success: false, message: 'Invalid staking key' };

describe('legacy REST: documented errors', () => {
  it('answers 401 "Invalid request body" to a missing field, a non-JSON or an empty body on every endpoint, changing nothing', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const state = stateSnapshot(core);
    const bodies: unknown[] = [
      {},
      { stakingKey: worker.stakingKey },
      { signature: worker.sign(worker.fetchTodoPayload()) },
      { signature: '', stakingKey: worker.stakingKey },
      '{"signature": ',
      '',
    ];
    for (const endpoint of ENDPOINTS) {
      for (const body of bodies) {
        const reply = await postLegacy(t.url, endpoint, body);
        expect({ endpoint, body, status: reply.status, json: reply.json }).toEqual({ endpoint, body, status: 401, json: invalidBody });
      }
    }
    // The unsigned endpoints need their own fields.
    expect((await postLegacy(t.url, 'check-todo', { stakingKey: worker.stakingKey, roundNumber: 1, githubUsername: 'a' })).json).toEqual(invalidBody);
    expect((await postLegacy(t.url, 'add-failed-info', { stakingKey: worker.stakingKey, swarmBountyId: '1' })).json).toEqual(invalidBody);
    expect(stateSnapshot(core)).toEqual(state);
  });

  it('answers 401 "Failed to verify signature" to bad signatures and to payloads with the wrong task, action, key or fields', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const other = new KoiiWorker(t.url, t.stakedWorker());
    const payload = worker.fetchTodoPayload() as Record<string, unknown>;
    const good = worker.sign(payload);
    const tampered = bs58.encode(Uint8Array.from(bs58.decode(good), (b, i) => (i === 70 ? b ^ 1 : b)));

    const attempts: { name: string; body: unknown }[] = [
      { name: 'signed by another key', body: { signature: other.sign(payload), stakingKey: worker.stakingKey } },
      { name: 'tampered message', body: { signature: tampered, stakingKey: worker.stakingKey } },
      { name: 'not base58', body: { signature: '0OIl+/', stakingKey: worker.stakingKey } },
      { name: 'too short to hold a signature', body: { signature: bs58.encode(new Uint8Array(10)), stakingKey: worker.stakingKey } },
      { name: 'staking key not a key', body: { signature: good, stakingKey: 'not-a-key' } },
      { name: 'wrong taskId', body: worker.signed({ ...payload, taskId: 'another-task' }) },
      { name: 'no taskId', body: worker.signed({ ...payload, taskId: undefined }) },
      { name: 'wrong action', body: worker.signed({ ...payload, action: 'add-todo-pr' }) },
      { name: 'other stakingKey inside', body: worker.signed({ ...payload, stakingKey: other.stakingKey }) },
      { name: 'no githubUsername', body: worker.signed({ ...payload, githubUsername: undefined }) },
      { name: 'timestamp outside the window', body: worker.signed({ ...payload, timestamp: Date.now() - 10 * core.auth.signatureWindowMs }) },
      { name: 'signed text is not JSON', body: { signature: bs58.encode(signedBytes('not json', worker.staking.secretKey)), stakingKey: worker.stakingKey } },
    ];
    const state = stateSnapshot(core);
    for (const { name, body } of attempts) {
      const reply = await worker.post('fetch-todo', body);
      expect({ name, status: reply.status, json: reply.json }).toEqual({ name, status: 401, json: badSignature });
    }
    // A valid signature for one endpoint is refused by another, and endpoint fields are required.
    const pr = worker.prPayload('b-1', PR) as Record<string, unknown>;
    for (const [endpoint, body] of [
      ['add-todo-draft-pr', worker.signed(pr)],
      ['add-round-number', worker.signed(pr)],
      ['add-todo-pr', worker.signed({ ...pr, prUrl: undefined })],
      ['add-todo-pr', worker.signed({ ...pr, swarmBountyId: '' })],
      ['add-round-number', worker.signed({ ...worker.roundNumberPayload('b-1', PR), swarmBountyId: undefined })],
      ['add-todo-status', worker.signed({ ...worker.statusPayload('b-1'), swarmBountyId: undefined })],
      ['add-todo-status', worker.signed({ ...worker.statusPayload('b-1'), taskId: 'another-task' })],
    ] as const) {
      const reply = await worker.post(endpoint, body);
      expect({ endpoint, status: reply.status, json: reply.json }).toEqual({ endpoint, status: 401, json: badSignature });
    }
    expect(stateSnapshot(core)).toEqual(state);
    expect((await worker.post('fetch-todo', { signature: good, stakingKey: worker.stakingKey })).status).toBe(200);
  });

  it('answers 401 "Invalid staking key" to unregistered and unstaked keys (fail closed)', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const unknown = new KoiiWorker(t.url, generateKeypair());
    const underStaked = new KoiiWorker(t.url, t.stakedWorker());
    setStake(core, underStaked.stakingKey, core.auth.minStake - 1);
    const state = stateSnapshot(core);
    for (const worker of [unknown, underStaked]) {
      for (const reply of [
        await worker.fetchTodo(),
        await worker.addTodoPr('b-1', PR),
        await worker.addTodoDraftPr('b-1', PR),
        await worker.addRoundNumber('b-1', PR),
        await worker.addTodoStatus('b-1'),
        await worker.addFailedInfo('b-1', 'agent crashed'),
      ]) {
        expect(reply.status).toBe(401);
        expect(reply.json).toEqual(invalidStakingKey);
      }
    }
    expect(stateSnapshot(core)).toEqual(state);
  });

  it('answers 409 "No available todos found" when the queue has nothing for the worker', async () => {
    await using t = await startTestCoordinator(QUIET);
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const empty = await worker.fetchTodo();
    expect(empty.status).toBe(409);
    expect(empty.json).toEqual({ success: false, message: 'No available todos found' });
    // The worker retries the same signature until it gets work; the refusal did not spend it.
    createTodo(t.coordinator.core, todoInput({ repo: 'koii-labs/docs' }));
    expect((await worker.fetchTodo()).status).toBe(200);
  });

  it('answers the endpoint\'s own 401 when the worker holds no such todo', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const holder = new KoiiWorker(t.url, t.stakedWorker());
    const stranger = new KoiiWorker(t.url, t.stakedWorker());
    expect((await holder.fetchTodo()).status).toBe(200);
    const state = stateSnapshot(core);

    const prFailed = { success: false, message: 'Failed to update PR URL' };
    expect((await stranger.addTodoPr('b-1', PR)).json).toEqual(prFailed);
    expect((await stranger.addTodoDraftPr('b-1', PR)).json).toEqual(prFailed);
    expect((await holder.addTodoPr('b-404', PR)).json).toEqual(prFailed);
    expect((await stranger.addTodoStatus('b-1')).json).toEqual({ success: false, message: 'Failed to update status' });
    // No PR reported yet, so no round to add.
    const noRound = await holder.addRoundNumber('b-1', PR);
    expect(noRound.status).toBe(401);
    expect(noRound.json).toEqual({ success: false, message: 'Failed to add round number' });
    expect(stateSnapshot(core)).toEqual(state);

    expect((await holder.addTodoPr('b-1', PR)).status).toBe(200);
    // The round is bound only to the PR that was reported.
    expect((await holder.addRoundNumber('b-1', `${PR}/files`)).json).toEqual({ success: false, message: 'Failed to add round number' });
    expect((await holder.addRoundNumber('b-1', PR)).status).toBe(200);
  });

  it('refuses a PR from a worker whose lease expired and was returned to the queue', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const late = new KoiiWorker(t.url, t.stakedWorker());
    expect((await late.fetchTodo()).status).toBe(200);
    // The sweeper runs at the lease's end (a domain call with that instant, not a wait).
    expect(sweepQueue(core, Date.now() + legacyLeaseMs(core) + 1).expiredLeases).toBe(1);
    expect(core.sqlite.prepare('SELECT status, holder_key FROM todos').get()).toEqual({ status: 'initialized', holder_key: null });

    const state = stateSnapshot(core);
    const reply = await late.addTodoPr('b-1', PR);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ success: false, message: 'Failed to update PR URL' });
    expect((await late.addTodoStatus('b-1')).json).toEqual({ success: false, message: 'Failed to update status' });
    expect(stateSnapshot(core)).toEqual(state);
  });

  it('check-todo: a present signature must verify and its signer be staked; a good one is answered like the unsigned form', async () => {
    await using t = await startTestCoordinator(QUIET);
    const core = t.coordinator.core;
    createTodo(core, todoInput({ repo: 'koii-labs/docs', bountyId: 'b-1' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker(), { githubUsername: 'alice-gh' });
    await worker.fetchTodo();
    await worker.addTodoPr('b-1', PR);
    await worker.addRoundNumber('b-1', PR);
    const round = (core.sqlite.prepare('SELECT round FROM todos').get() as { round: number }).round;

    const auditor = new KoiiWorker(t.url, t.stakedWorker());
    const query = { taskId: auditor.taskId, action: 'check-todo', stakingKey: auditor.stakingKey, submitterKey: worker.stakingKey, roundNumber: round, githubUsername: 'alice-gh', prUrl: PR };
    const state = stateSnapshot(core);
    const ok = await auditor.post('check-todo', auditor.signed(query));
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ success: true, message: 'Todo assignment verified successfully' });
    expect((await auditor.post('check-todo', auditor.signed({ ...query, roundNumber: round + 1 }))).status).toBe(409);

    // A bad signature is never downgraded to the unsigned form, even with valid unsigned fields beside it.
    const forged = { signature: worker.sign(query), stakingKey: auditor.stakingKey, roundNumber: round, githubUsername: 'alice-gh', prUrl: PR };
    const bad = await auditor.post('check-todo', forged);
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual(badSignature);
    expect((await auditor.post('check-todo', auditor.signed({ ...query, action: 'fetch-todo' }))).json).toEqual(badSignature);

    const unstaked = new KoiiWorker(t.url, generateKeypair());
    const refused = await unstaked.post('check-todo', unstaked.signed({ ...query, stakingKey: unstaked.stakingKey }));
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual(invalidStakingKey);
    // check-todo never changes state, signed or not.
    expect(stateSnapshot(core)).toEqual(state);
  });

  it('answers 404 to other methods and unknown paths under /summarizer/worker/', async () => {
    await using t = await startTestCoordinator(QUIET);
    expect((await fetch(`${t.url}/summarizer/worker/fetch-todo`)).status).toBe(404);
    expect((await postLegacy(t.url, 'update-audit-result', {})).status).toBe(404);
    // Express matched a trailing slash too.
    expect((await postLegacy(t.url, 'fetch-todo/', {})).json).toEqual(invalidBody);
  });
});

describe('legacy REST: limits', () => {
  it('answers 413 to a body over the server\'s limit', async () => {
    await using t = await startTestCoordinator({ ...QUIET, bodyLimitBytes: 2048 });
    createTodo(t.coordinator.core, todoInput({ repo: 'koii-labs/docs' }));
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    const reply = await worker.post('fetch-todo', { ...worker.signed(worker.fetchTodoPayload()), padding: 'x'.repeat(4096) });
    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({ success: false, message: 'Request body too large' });
    expect((await worker.fetchTodo()).status).toBe(200);
  });

  it('applies the per-IP rate limit with Retry-After', async () => {
    await using t = await startTestCoordinator({ ...QUIET, rateLimitIpPerSecond: 0.001, rateLimitIpBurst: 2 });
    const worker = new KoiiWorker(t.url, t.stakedWorker());
    expect((await worker.fetchTodo()).status).toBe(409);
    expect((await worker.fetchTodo()).status).toBe(409);
    const limited = await worker.fetchTodo();
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ success: false, message: 'Too many requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

/** An attached signature over arbitrary bytes (not JSON). */
function signedBytes(text: string, secretKey: Uint8Array): Uint8Array {
  return bs58.decode(signLegacy(text as unknown as object, secretKey));
}
