import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandPath } from '../../bin/debian-package.mjs';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { writeKeypairFile } from '../../shared/keypair.js';
import { checkRows } from '../helpers/check-lines.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { CLI, type CliResult } from '../helpers/run-cli.js';
import { specFor } from './swarm-specs.js';

/**
 * The real `swarmtask` process on a machine whose clock is off: libfaketime (Debian's faketime,
 * which `npm test` installs) shifts the wall clock the process sees, and only that one.
 */
function runWithClockOff(offset: string, args: string[]): Promise<CliResult> {
  const faketime = commandPath('faketime');
  expect(faketime, 'faketime is missing: apt-get install -y faketime (npm test does it when run as root)').not.toBe('');
  return new Promise((resolve) => {
    execFile(
      faketime,
      ['-f', offset, process.execPath, CLI, ...args],
      // Timers run on the monotonic clock, which stays true; only the wall clock is off.
      { env: { ...process.env, FAKETIME_DONT_FAKE_MONOTONIC: '1', SWARMTASK_MODEL_MAP: '' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('a worker node whose clock is 10 minutes off', () => {
  it.each([
    ['behind', '-10m', 600_000],
    ['ahead', '+10m', -600_000],
  ])('%s: says so, signs with the coordinator’s time, and gets its todo through', { timeout: 180_000 }, async (_, offset, expectedOffsetMs) => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keyFile = join(dir.path, 'worker.json');
    writeKeypairFile(keyFile, t.stakedWorker());
    const todoId = createTodo(t.coordinator.core, { spec: specFor('ConcurrentWorkflow'), priority: 0 }).todo.id;

    const check = await runWithClockOff(offset, ['worker', '--check', '--key', keyFile, '--server', t.url, '--data', join(dir.path, 'outbox')]);
    expect(check.code).toBe(0);
    const clockRow = checkRows(check.stdout).find(([, name]) => name === 'clock');
    expect(clockRow).toEqual(['warn', 'clock', expect.stringMatching(new RegExp(`^this machine's clock is 600 s ${expectedOffsetMs > 0 ? 'behind' : 'ahead of'} the coordinator's: `))]);

    const run = await runWithClockOff(offset, ['worker', '--key', keyFile, '--server', t.url, '--data', join(dir.path, 'outbox'), '--no-audit', '--poll-ms', '200', '--exit-when-idle', '2s', '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; offsetMs?: number; todoId?: number });
    const offsets = events.filter((event) => event.type === 'clock_offset');
    expect(offsets).toHaveLength(1);
    expect(Math.abs(offsets[0]!.offsetMs! - expectedOffsetMs)).toBeLessThan(5_000);
    expect(events.filter((event) => event.type === 'submitted').map((event) => event.todoId)).toEqual([todoId]);
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    // Submitted, or already in review if the round closed meanwhile.
    expect(getTodo(t.coordinator.core, todoId).status).toMatch(/^(submitted|in_review)$/);
  });

  it('the line an operator reads', () => {
    expect(describeWorkerEvent({ type: 'clock_offset', offsetMs: 600_400 })).toBe(
      "this machine's clock is 600 s behind the coordinator's; signing with the coordinator's time instead. Set this machine to keep time (NTP: timedatectl set-ntp true)",
    );
    expect(describeWorkerEvent({ type: 'clock_offset', offsetMs: -90_000 })).toMatch(/^this machine's clock is 90 s ahead of the coordinator's;/);
  });
});
