import { describe, expect, it, vi } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { ServerClock } from '../../client/server-clock.js';
import type { RefusalData } from '../../client/refusal-data.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { todoInput } from '../helpers/api.js';
import { generateKeypair } from '../../shared/keypair.js';

const TEN_MINUTES = 10 * 60_000;

/** A clock for a machine whose own clock is `skewMs` off (negative: behind). */
const skewedClock = (skewMs: number) => new ServerClock(() => Date.now() + skewMs);

describe('ServerClock', () => {
  // Wire data: whatever a coordinator sent, typed or not.
  const refusal = (serverTimeMs: unknown) => ({ reason: 'TIMESTAMP_OUT_OF_WINDOW', serverTimeMs }) as RefusalData;

  it('learns the offset from a stale-timestamp refusal and tells its listeners once per change', () => {
    let local = 1_000_000;
    const clock = new ServerClock(() => local);
    const changes: number[] = [];
    clock.onChange((offset) => changes.push(offset));
    expect(clock.now()).toBe(1_000_000);
    clock.learnFrom(refusal(1_600_000));
    expect(clock.offsetMs).toBe(600_000);
    expect(clock.now()).toBe(1_600_000);
    expect(clock.toLocal(1_630_000)).toBe(1_030_000);
    // Sixty-three more calls refused in the same burst bring about the same time: no new change.
    local += 40;
    clock.learnFrom(refusal(1_600_300));
    expect(clock.offsetMs).toBe(600_000);
    // The clock was fixed meanwhile (NTP stepped it): the next refusal moves it back.
    local = 1_600_000;
    clock.learnFrom(refusal(1_400_000));
    expect(clock.offsetMs).toBe(-200_000);
    expect(changes).toEqual([600_000, -200_000]);
  });

  it('ignores every other refusal, and a server time that is not a whole number of ms', () => {
    const clock = new ServerClock(() => 0);
    clock.learnFrom({ reason: 'NONCE_REPLAYED', serverTimeMs: 5_000 });
    clock.learnFrom(refusal(null));
    clock.learnFrom(refusal('5000'));
    clock.learnFrom(refusal(5_000.5));
    clock.learnFrom(undefined);
    expect(clock.offsetMs).toBe(0);
  });
});

describe.each(['http', 'ws'] as const)('a worker whose clock is off (%s)', (transport) => {
  it.each([
    ['behind', -TEN_MINUTES],
    ['ahead', TEN_MINUTES],
  ])('10 minutes %s: refused once for its timestamp, it signs with the coordinator’s time and claims once', async (_, skewMs) => {
    await using t = await startTestCoordinator();
    const worker = t.stakedWorker();
    const todo = createTodo(t.coordinator.core, todoInput()).todo;
    const clock = skewedClock(skewMs);
    const offsets: number[] = [];
    clock.onChange((offset) => offsets.push(offset));
    // A refused connection would wait an hour before its next try: only a cured refusal reconnects in time.
    const refusals: string[] = [];
    const client = t.workerClient(worker, {
      transport,
      clock,
      refusedRetryDelayMs: () => 3_600_000,
      onClose: (cause) => cause?.refusal && refusals.push(cause.refusal),
    });
    const claimed = await client.call('todos.claim', { max: 1 });
    // Over WebSocket the connection itself was refused first (its ws.connect is signed too); its call never ran.
    expect(refusals).toEqual(transport === 'ws' ? [expect.stringMatching(/^payload\.timestamp is 600 s (old|in the future)/)] : []);
    expect(claimed.map((c) => c.todoId)).toEqual([todo.id]);
    expect(offsets).toHaveLength(1);
    expect(Math.abs(offsets[0]! + skewMs)).toBeLessThan(1_000);
    // One nonce recorded per accepted call (the refused one burnt none), and one assignment.
    expect(t.coordinator.core.sqlite.prepare('SELECT count(*) AS n FROM assignments').get()).toEqual({ n: 1 });
    // The lease's end, on this machine's clock, is where the lease really ends.
    const leaseLocal = clock.toLocal(claimed[0]!.leaseExpiresAt);
    expect(Math.abs(leaseLocal - skewMs - getTodo(t.coordinator.core, todo.id).leaseExpiresAt!)).toBeLessThan(1_000);
    // From then on the calls go through at the first try.
    const heartbeat = await client.call('todos.heartbeat', { leases: [{ todoId: todo.id, leaseToken: claimed[0]!.leaseToken }] });
    expect(heartbeat).toMatchObject([{ todoId: todo.id, ok: true }]);
    expect(offsets).toHaveLength(1);
  });
});

describe('what is not signed again', () => {
  it('a call refused for another reason is not sent again', async () => {
    await using t = await startTestCoordinator();
    const stranger = generateKeypair(); // never registered: STAKING_KEY_UNKNOWN, checked after the timestamp
    const clock = skewedClock(-TEN_MINUTES);
    const signed = vi.spyOn(clock, 'now');
    const client = t.workerClient(stranger, { transport: 'http', clock });
    const first = await client.call('todos.claim', { max: 1 }).catch((error: unknown) => error);
    expect((first as TRPCClientError<never>).data).toMatchObject({ reason: 'STAKING_KEY_UNKNOWN' });
    expect(signed).toHaveBeenCalledTimes(2); // refused for its timestamp, signed once more, refused for the key
    const second = await client.call('todos.claim', { max: 1 }).catch((error: unknown) => error);
    expect((second as TRPCClientError<never>).data).toMatchObject({ reason: 'STAKING_KEY_UNKNOWN' });
    expect(signed).toHaveBeenCalledTimes(3);
  });

  it('a refusal that teaches nothing (a coordinator that sends no time) fails the call, signed once', async () => {
    await using t = await startTestCoordinator();
    const worker = t.stakedWorker();
    const clock = skewedClock(-TEN_MINUTES);
    const learn = vi.spyOn(clock, 'learnFrom').mockImplementation(() => undefined);
    const signed = vi.spyOn(clock, 'now');
    const client = t.workerClient(worker, { transport: 'http', clock });
    const refused = await client.call('todos.claim', { max: 1 }).catch((error: unknown) => error);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ reason: 'TIMESTAMP_OUT_OF_WINDOW' });
    expect(learn).toHaveBeenCalledTimes(1);
    expect(signed).toHaveBeenCalledTimes(1);
  });
});
