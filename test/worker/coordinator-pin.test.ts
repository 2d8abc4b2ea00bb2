import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COORDINATOR_KEYS_FILE,
  CoordinatorKeyMismatchError,
  decideCoordinatorKey,
  readCoordinatorPins,
  writeCoordinatorPin,
} from '../../client/worker/coordinator-pin.js';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { writeKeypairFile, generateKeypair } from '../../shared/keypair.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';
import { testWorkers } from './helpers.js';

const A = generateKeypair().publicKeyBase58;
const B = generateKeypair().publicKeyBase58;
const pinOf = (key: string, source: 'first contact' | 'operator' = 'first contact') => ({ key, source, pinnedAt: '2026-12-01T00:00:00.000Z' });
const inputs = { taskId: 't1', file: '/data/coordinator-keys.json' };

describe("decideCoordinatorKey: trust on first use for the coordinator's signing key", () => {
  it('pins the first key announced, keeps a pin the coordinator still announces, and refuses a changed key', () => {
    expect(decideCoordinatorKey({ ...inputs, pinned: undefined, announced: A, given: undefined })).toEqual({
      key: A,
      write: { key: A, source: 'first contact', previous: null },
    });
    expect(decideCoordinatorKey({ ...inputs, pinned: pinOf(A), announced: A, given: undefined })).toEqual({ key: A });
    // An older coordinator that announces nothing: the pin still holds; with no pin there is nothing to hold to.
    expect(decideCoordinatorKey({ ...inputs, pinned: pinOf(A), announced: undefined, given: undefined })).toEqual({ key: A });
    expect(decideCoordinatorKey({ ...inputs, pinned: undefined, announced: undefined, given: undefined })).toEqual({ key: null });

    const changed = () => decideCoordinatorKey({ ...inputs, pinned: pinOf(A), announced: B, given: undefined });
    expect(changed).toThrow(CoordinatorKeyMismatchError);
    expect(changed).toThrow(
      `the coordinator of task t1 now announces signing key ${B}, but this worker pinned ${A} (first contact, 2026-12-01T00:00:00.000Z; /data/coordinator-keys.json). ` +
        `Payout lists it signs with another key could say anything. If its operator changed the key on purpose (ask them), accept it with --coordinator-key ${B}`,
    );
  });

  it("lets the operator's --coordinator-key replace a pin, but never accept a key the coordinator does not announce", () => {
    expect(decideCoordinatorKey({ ...inputs, pinned: pinOf(A), announced: B, given: B })).toEqual({ key: B, write: { key: B, source: 'operator', previous: A } });
    expect(decideCoordinatorKey({ ...inputs, pinned: undefined, announced: undefined, given: B })).toEqual({
      key: B,
      write: { key: B, source: 'operator', previous: null },
    });
    expect(decideCoordinatorKey({ ...inputs, pinned: pinOf(B, 'operator'), announced: B, given: B })).toEqual({ key: B });
    expect(() => decideCoordinatorKey({ ...inputs, pinned: undefined, announced: A, given: B })).toThrow(
      `the coordinator announces signing key ${A}, not ${B} (--coordinator-key): either this is not the coordinator you meant, or its key is not the one its operator told you`,
    );
  });

  it('keeps one pin per task in a JSON file, and names the field of a damaged one', () => {
    using dir = tempDir();
    expect(readCoordinatorPins(dir.path)).toEqual({});
    writeCoordinatorPin(dir.path, 'task-1', pinOf(A));
    writeCoordinatorPin(dir.path, 'task-2', pinOf(B, 'operator'));
    expect(readCoordinatorPins(dir.path)).toEqual({ 'task-1': pinOf(A), 'task-2': pinOf(B, 'operator') });
    const file = join(dir.path, COORDINATOR_KEYS_FILE);
    writeFileSync(file, JSON.stringify({ 'task-1': { ...pinOf(A), key: 'not-a-key' } }));
    expect(() => readCoordinatorPins(dir.path)).toThrow(new RegExp(`^${file}: task-1\\.key: .+; fix it, or delete it to pin the coordinator's key afresh$`));
    writeFileSync(file, '{"task-1": ');
    expect(() => readCoordinatorPins(dir.path)).toThrow(new RegExp(`^${file} is not JSON \\(.+\\): fix it, or delete it`));
  });
});

describe('a worker pins the coordinator key', () => {
  it('on first contact, keeps it across restarts, refuses a coordinator that signs with another key, and takes the new key only from its operator', async () => {
    await using first = await startTestCoordinator();
    const firstKey = first.coordinator.core.coordinatorKey.publicKeyBase58;
    using dir = tempDir('swarmtask-worker-');
    const keypair = first.stakedWorker();

    await using workers = testWorkers(first);
    const one = await workers.add({ keypair, dataDir: dir.path });
    expect(one.eventsOf('coordinator_key_pinned')).toEqual([{ type: 'coordinator_key_pinned', taskId: 'test-task', key: firstKey, source: 'first contact', previous: null }]);
    expect(describeWorkerEvent(one.eventsOf('coordinator_key_pinned')[0]!)).toBe(
      `pinned coordinator signing key ${firstKey} for task test-task (first contact): payout lists must be signed by it`,
    );
    expect(one.worker.status().coordinatorKey).toBe(firstKey);
    expect(JSON.parse(readFileSync(join(dir.path, COORDINATOR_KEYS_FILE), 'utf8'))).toEqual({
      'test-task': { key: firstKey, source: 'first contact', pinnedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    await one.worker.stop({ graceMs: 0 });

    const again = await workers.add({ keypair, dataDir: dir.path });
    expect(again.eventsOf('coordinator_key_pinned')).toEqual([]);
    expect(again.worker.status()).toMatchObject({ state: 'running', coordinatorKey: firstKey });
    await again.worker.stop({ graceMs: 0 });

    // The same task id served with another signing key (a new data dir, a lost key file, or an impostor).
    await using second = await startTestCoordinator();
    const secondKey = second.coordinator.core.coordinatorKey.publicKeyBase58;
    second.stakedWorker({ keypair });
    await using secondWorkers = testWorkers(second);
    const refused = await secondWorkers.add({ keypair, dataDir: dir.path, start: false });
    await expect(refused.worker.start()).rejects.toThrow(CoordinatorKeyMismatchError);
    expect(refused.worker.status().state).toBe('stopped');
    expect(refused.eventsOf('error').map((e) => e.message)).toEqual([expect.stringContaining(`now announces signing key ${secondKey}, but this worker pinned ${firstKey}`)]);
    expect(refused.eventsOf('registered')).toEqual([]);
    expect(readCoordinatorPins(dir.path)['test-task']?.key).toBe(firstKey);

    const accepted = await secondWorkers.add({ keypair, dataDir: dir.path, coordinatorKey: secondKey });
    expect(accepted.eventsOf('coordinator_key_pinned')).toEqual([
      { type: 'coordinator_key_pinned', taskId: 'test-task', key: secondKey, source: 'operator', previous: firstKey },
    ]);
    expect(describeWorkerEvent(accepted.eventsOf('coordinator_key_pinned')[0]!)).toBe(
      `pinned coordinator signing key ${secondKey} for task test-task (set by --coordinator-key, replacing ${firstKey.slice(0, 8)}…): payout lists must be signed by it`,
    );
    expect(accepted.worker.status()).toMatchObject({ state: 'running', coordinatorKey: secondKey });
    expect(readCoordinatorPins(dir.path)['test-task']).toMatchObject({ key: secondKey, source: 'operator' });
  });

  it('through the CLI: a malformed --coordinator-key exits 2, and one the coordinator does not announce stops the worker before it registers', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keyFile = join(dir.path, 'worker.json');
    const keypair = t.stakedWorker();
    writeKeypairFile(keyFile, keypair);
    const base = ['worker', '--key', keyFile, '--server', t.url, '--data', join(dir.path, 'data'), '--json'];

    const malformed = await runCli([...base, '--coordinator-key', 'nope']);
    expect(malformed).toMatchObject({ code: 2, stderr: 'swarmtask: --coordinator-key / SWARMTASK_COORDINATOR_KEY must be a base58 Ed25519 public key, got "nope"\n' });

    const wrong = await runCli(base, { SWARMTASK_COORDINATOR_KEY: A });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `swarmtask: worker could not start: the coordinator announces signing key ${t.coordinator.core.coordinatorKey.publicKeyBase58}, not ${A} (--coordinator-key): ` +
        'either this is not the coordinator you meant, or its key is not the one its operator told you\n',
    );
    const types = wrong.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['started', 'error', 'stopping', 'stopped']);
    expect(readCoordinatorPins(join(dir.path, 'data'))).toEqual({});
  });
});
