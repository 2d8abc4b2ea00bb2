import { describe, expect, it, vi } from 'vitest';
import { setStake } from '../../server/auth/workers.js';
import { createTodo } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { generateKeypair } from '../../shared/keypair.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { testWorkers } from './helpers.js';

describe('a worker whose key is not staked yet', () => {
  it('registers, says once what stake it needs and who can give it, then starts working when staked', async () => {
    await using t = await startTestCoordinator();
    await using workers = testWorkers(t);
    const core = t.coordinator.core;
    const keypair = generateKeypair();
    const node = await workers.add({ keypair, start: false, statusPort: 0 });
    const starting = node.worker.start();
    const health = async () => (await (await fetch(`${node.worker.statusUrl}/health`)).json()) as Record<string, unknown>;

    await vi.waitFor(() => expect(node.eventsOf('awaiting_stake')).toHaveLength(1), { timeout: 10_000 });
    expect(node.eventsOf('awaiting_stake')[0]).toEqual({
      type: 'awaiting_stake',
      stakingKey: keypair.publicKeyBase58,
      stake: 0,
      minStake: core.auth.minStake,
    });
    expect(describeWorkerEvent(node.eventsOf('awaiting_stake')[0]!)).toBe(
      `staking key ${keypair.publicKeyBase58} has stake 0 SWARMS; this coordinator needs 1 SWARMS before it hands out work. ` +
        `Waiting; its operator runs: swarmtask stake set ${keypair.publicKeyBase58} 1000000000`,
    );
    // Several stake checks later (each a signed call, so a nonce on record): still one
    // announcement, no refused connections, no error lines.
    const signedCalls = () =>
      (core.sqlite.prepare('SELECT count(*) AS n FROM nonces WHERE staking_key = ?').get(keypair.publicKeyBase58) as { n: number }).n;
    await vi.waitFor(() => expect(signedCalls()).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    expect(node.events.map((e) => e.type)).toEqual(['started', 'coordinator_key_pinned', 'awaiting_stake']);
    expect(await health()).toMatchObject({ connected: false, lastError: null, awaitingStake: { stake: 0, minStake: core.auth.minStake } });

    setStake(core, keypair.publicKeyBase58, core.auth.minStake);
    await starting;
    expect(await health()).toMatchObject({ awaitingStake: null });
    expect(node.eventsOf('registered')).toEqual([
      { type: 'registered', stakingKey: keypair.publicKeyBase58, githubUsername: null, stake: core.auth.minStake },
    ]);
    const todo = createTodo(core, { spec: SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC), priority: 0 }).todo;
    await vi.waitFor(() => expect(node.eventsOf('claimed').map((e) => e.todoId)).toEqual([todo.id]), { timeout: 15_000 });
    expect(node.eventsOf('error')).toEqual([]);
  });

  it('stops cleanly while it waits', async () => {
    await using t = await startTestCoordinator();
    await using workers = testWorkers(t);
    const node = await workers.add({ keypair: generateKeypair(), start: false });
    const starting = node.worker.start();
    await vi.waitFor(() => expect(node.eventsOf('awaiting_stake')).toHaveLength(1), { timeout: 10_000 });
    await node.worker.stop({ graceMs: 0 });
    await starting;
    expect(node.events.map((e) => e.type)).toEqual(['started', 'coordinator_key_pinned', 'awaiting_stake', 'stopping', 'stopped']);
  });

  it('whose stake is withdrawn says so once, on calls and on refused reconnects alike, and works again when restaked', async () => {
    await using t = await startTestCoordinator();
    await using workers = testWorkers(t);
    const core = t.coordinator.core;
    const node = await workers.add({ audit: false, statusPort: 0 });
    const key = node.keypair.publicKeyBase58;
    await vi.waitFor(() => expect(node.eventsOf('connected')).toHaveLength(1), { timeout: 10_000 });
    let connections = 0;
    t.coordinator.wss.on('connection', () => (connections += 1));
    // Claims the coordinator refused, from its own metrics: each poll of the worker is one.
    const refusedClaims = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return Number(/swarmtask_procedure_errors_total\{path="todos\.claim",code="FORBIDDEN"\} (\d+)/.exec(text)?.[1] ?? 0);
    };

    // On the open connection every poll's claim is refused (STAKE_TOO_LOW): said once.
    setStake(core, key, 0);
    await vi.waitFor(async () => expect(await refusedClaims()).toBeGreaterThanOrEqual(5), { timeout: 15_000, interval: 50 });
    const claimErrors = node.eventsOf('error').filter((e) => e.stage === 'claim');
    expect(claimErrors).toHaveLength(1);
    expect(claimErrors[0]!.message).toMatch(/STAKE_TOO_LOW: staking key \S+ has stake 0 SWARMS, below the minimum of 1 SWARMS/);
    expect(node.events.map((e) => e.type)).toEqual(['started', 'coordinator_key_pinned', 'registered', 'connected', 'error']);
    const before = node.events.length;

    // The coordinator drops the connection; every reconnect is refused: one line, no error lines.
    for (const socket of t.coordinator.wss.clients) socket.terminate();
    await vi.waitFor(() => expect(connections).toBeGreaterThanOrEqual(5), { timeout: 15_000, interval: 50 });
    const sinceDrop = node.events.slice(before);
    // Lost; the calls sent on the first new socket fail before its refusal arrives; then the refusal, once.
    expect(sinceDrop.map((e) => (e.type === 'error' ? `error in ${e.stage}` : e.type))).toEqual(['disconnected', 'error in subscribe', 'disconnected']);
    expect(sinceDrop[2]).toMatchObject({ refusal: expect.stringMatching(/has stake 0 SWARMS, below the minimum of 1 SWARMS/) });
    // Monitoring sees it too, while the screen stays quiet.
    const health = await (await fetch(`${node.worker.statusUrl}/health`)).json();
    expect(health).toMatchObject({ connected: false, refusal: expect.stringMatching(/has stake 0 SWARMS/), lastError: { stage: expect.any(String) } });

    setStake(core, key, core.auth.minStake);
    const todo = createTodo(core, { spec: SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC), priority: 0 }).todo;
    await vi.waitFor(() => expect(node.eventsOf('claimed').map((e) => e.todoId)).toEqual([todo.id]), { timeout: 15_000 });
    expect(node.eventsOf('connected')).toHaveLength(2);
  });
});
