import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { createTodo } from '../../server/queue/index.js';
import { castVote, claimAudits, roundTick } from '../../server/rounds/index.js';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { at, CID, setupRounds, spec, workAndSubmit } from '../helpers/rounds.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

describe('swarmtask CLI: what it shows (todo pages, amounts, rounds, status)', () => {
  it('pages todo lists with --before, hinting the next page on stderr', async () => {
    using dir = tempDir();
    const specFile = writeExampleSpec(dir.path);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(JSON.parse((await runCli(['todo', 'add', specFile, '--data', dir.path, '--json'])).stdout).id);
    const first = await runCli(['todo', 'list', '--limit', '2', '--data', dir.path]);
    expect(first.stdout.trim().split('\n').slice(1).map((line) => Number(line.split(/\s+/)[0]))).toEqual([ids[2], ids[1]]);
    expect(first.stderr).toBe(`more: add --before ${ids[1]}\n`);
    const rest = await runCli(['todo', 'list', '--limit', '2', '--before', String(ids[1]), '--data', dir.path, '--json']);
    expect(JSON.parse(rest.stdout)).toMatchObject({ todos: [{ id: ids[0] }], nextBeforeId: null });
    expect(rest.stderr).toBe('');
  });
  it('shows people amounts in SWARMS and a todo in words (--json keeps base units); an explicit --data beats SWARMTASK_SERVER_URL', async () => {
    using dir = tempDir();
    const data = ['--data', dir.path];
    // A coordinator URL in the environment (as a worker host has) must not take over a --data command.
    const env = { SWARMTASK_SERVER_URL: `http://127.0.0.1:${await closedPort()}` };
    const specFile = writeExampleSpec(dir.path);
    const added = await runCli(['todo', 'add', specFile, ...data, '--reward', '1500000000', '--repo', 'acme/site'], env);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('todo 1 queued (ConcurrentWorkflow: Financial Analysis Swarm; reward 1.5 SWARMS)\n');
    const shown = (await runCli(['todo', 'show', '1', ...data], env)).stdout.split('\n');
    expect(shown[0]).toBe('todo 1');
    for (const line of [
      /^ {2}status +initialized$/,
      /^ {2}swarm +ConcurrentWorkflow: Financial Analysis Swarm \(1 agent, at least 1 model call a run\)$/,
      /^ {2}reward +1\.5 SWARMS$/,
      /^ {2}attempts +0 of 5$/,
      /^ {2}repository +acme\/site$/,
      /^ {2}\(everything that happened to it: swarmtask events --todo 1\)$/,
    ]) {
      expect(shown.some((l) => line.test(l)), `${line} in\n${shown.join('\n')}`).toBe(true);
    }
    expect(JSON.parse((await runCli(['todo', 'show', '1', ...data, '--json'], env)).stdout)).toMatchObject({ reward: 1_500_000_000 });
    // A scheduled todo says when it becomes claimable, on add and on show.
    const later = '2099-01-02T03:04:05.000Z';
    const scheduledFile = join(dir.path, 'scheduled.json');
    writeFileSync(scheduledFile, JSON.stringify({ ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: later } }));
    expect((await runCli(['todo', 'add', scheduledFile, ...data], env)).stdout).toBe(
      `todo 2 queued (ConcurrentWorkflow: Financial Analysis Swarm; reward 400 SWARMS; scheduled, claimable from ${later})\n`,
    );
    expect((await runCli(['todo', 'show', '2', ...data], env)).stdout).toMatch(new RegExp(`^ {2}available +${later} \\(scheduled\\)$`, 'm'));

    const publicKey = JSON.parse((await runCli(['keygen', '--out', join(dir.path, 'k.json'), '--json'])).stdout).publicKey as string;
    expect((await runCli(['stake', 'set', publicKey, '2500000000', ...data], env)).stdout).toBe(
      `stake of ${publicKey} is now 2.5 SWARMS (2500000000 base units)\n`,
    );
    const workersTable = (await runCli(['workers', ...data], env)).stdout;
    expect(workersTable.split('\n')[0]).toMatch(/^stakingKey +githubUsername +stake +registeredAt +lastSeenAt$/);
    expect(workersTable).toMatch(new RegExp(`${publicKey} +- +2\\.5 SWARMS +\\d{4}-`));
    expect(JSON.parse((await runCli(['workers', ...data, '--json'], env)).stdout)).toMatchObject({ workers: [{ stakingKey: publicKey, stake: 2_500_000_000 }], nextAfter: null });
    // A page at a time: the next page's flag is printed on stderr, the table stays clean on stdout.
    const secondKey = JSON.parse((await runCli(['keygen', '--out', join(dir.path, 'k2.json'), '--json'])).stdout).publicKey as string;
    await runCli(['stake', 'set', secondKey, '1000000000', ...data], env);
    const firstPage = await runCli(['workers', '--limit', '1', ...data], env);
    expect(firstPage.stdout).toContain(publicKey);
    expect(firstPage.stdout).not.toContain(secondKey);
    const more = /^more: add (--after \S+)$/m.exec(firstPage.stderr);
    expect(more, firstPage.stderr).not.toBeNull();
    const nextPage = await runCli(['workers', '--limit', '1', ...more![1]!.split(' '), ...data, '--json'], env);
    expect(JSON.parse(nextPage.stdout)).toMatchObject({ workers: [{ stakingKey: secondKey }], nextAfter: null });
    const badSort = await runCli(['workers', '--sort', 'stake', ...data], env);
    expect(badSort.code).toBe(2);
    expect(badSort.stderr).toBe('swarmtask: --sort must be one of registered, lastSeen\n');

    const both = await runCli(['todo', 'list', ...data, '--server', 'http://127.0.0.1:1', '--api-key', 'k']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('swarmtask: pass either --server (a running coordinator) or --data (a data dir), not both\n');
  });
  it('round show defaults to the newest tallied round with work, whatever round length the coordinator ran', async () => {
    // The coordinator ran 10-second rounds; the CLI on its data dir has only its own default (10 min).
    const { core, keys } = setupRounds({ auditQuorum: 1 });
    using _ = core;
    const [worker, auditor] = keys as [string, string];
    createTodo(core, { spec, priority: 0 }, at(4, 0));
    workAndSubmit(core, worker, 4, CID(3));
    await roundTick(core, at(5));
    for (const task of claimAudits(core, auditor, 10, at(5, 5))) castVote(core, auditor, { auditId: task.auditId, vote: 'approve', reason: 'ok' }, {}, at(5, 6));
    for (const round of [6, 7, 8]) await roundTick(core, at(round));
    const shown = await runCli(['round', 'show', '--data', core.dataDir, '--json'], { SWARMTASK_TASK_ID: 'test-task' });
    expect(shown.stderr).toBe('');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      number: 4,
      status: 'tallied',
      startsAt: at(4, 0),
      endsAt: at(5, 0),
      distribution: { [worker]: 400_000_000_000 },
    });
    // A round the store has no row for is dated on the coordinator's clock too, not the CLI's.
    const unseen = JSON.parse((await runCli(['round', 'show', '20', '--data', core.dataDir, '--json'], { SWARMTASK_TASK_ID: 'test-task' })).stdout);
    expect(unseen).toMatchObject({ number: 20, startsAt: at(20, 0), endsAt: at(21, 0), submissions: [] });
    // status names the same round and what it paid.
    const status = (await runCli(['status', '--data', core.dataDir], { SWARMTASK_TASK_ID: 'test-task' })).stdout;
    expect(status).toMatch(/^last tally +round 4: paid 400 SWARMS to 1 key, list b[a-z2-7]+$/m);
    expect(status).toMatch(/^todos +1 done$/m);
    expect(status).toMatch(/^queue +nothing waiting to be claimed$/m);
  });
  it('status: who serves the data dir, todos by status, workers, the round; a mistyped --data is refused, not created', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    t.stakedWorker();
    for (let i = 0; i < 2; i++) createTodo(t.coordinator.core, { spec, priority: 0 });
    const shown = await runCli(['status', '--data', t.dataDir], env);
    expect(shown.stderr).toBe('');
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^coordinator +running, pid ${process.pid} at ${t.url} since \\d{4}-`));
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^task +test-task$/),
      expect.stringMatching(/^todos +2 initialized$/),
      expect.stringMatching(/^queue +the oldest claimable todo has waited \d+ s$/),
      expect.stringMatching(/^workers +1 registered, 1 staked at least 1 SWARMS, 1 seen in the last 10 minutes$/),
      expect.stringMatching(/^round +\d+, ends \d{4}-.+ \(600 s rounds\)$/),
      expect.stringMatching(/^last tally +no round with work tallied yet$/),
      expect.stringMatching(/^disk +store \d+(\.\d)? [KMG]iB( \(WAL \d+(\.\d)? [KMG]iB\))?, (LOW: )?\d+(\.\d)? [KMG]iB free/),
    ]);
    const remote = JSON.parse((await runCli(['status', '--server', t.url, '--api-key', t.apiKey, '--json'])).stdout);
    expect(remote).toMatchObject({ source: { serverUrl: t.url }, taskId: 'test-task', todos: { initialized: 2 }, oldestClaimableWaitMs: expect.any(Number), lastTalliedRound: null });
    expect(remote.storage).toMatchObject({ storeBytes: expect.any(Number), walBytes: expect.any(Number), freeBytes: expect.any(Number), low: expect.any(Boolean) });
    expect(remote.storage.storeBytes).toBeGreaterThan(0);
    expect(remote.storage.wantedFreeBytes).toBe(Math.max(1024 ** 3, 2 * (remote.storage.storeBytes + remote.storage.walBytes)));

    const typo = join(dir.path, 'dta');
    for (const command of [['status'], ['todo', 'list'], ['workers']]) {
      const refused = await runCli([...command, '--data', typo]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`swarmtask: no swarmtask store in ${typo} (${join(typo, 'swarmtask.db')} does not exist): check --data / SWARMTASK_DATA_DIR\n`);
    }
    expect(existsSync(typo)).toBe(false);
  });
});
