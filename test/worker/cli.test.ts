import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { createTodo, getTodo } from '../../server/queue/index.js';
import { writeKeypairFile } from '../../shared/keypair.js';
import { describeWorkerEvent, type WorkerEvent } from '../../client/worker/events.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { specFor } from './swarm-specs.js';

describe('swarmtask worker (CLI)', () => {
  it('exits 2 on bad usage', async () => {
    const noKey = await runCli(['worker'], { SWARMTASK_KEY_FILE: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--key <file>/);
    using dir = tempDir();
    const keyFile = join(dir.path, 'key.json');
    const missing = await runCli(['worker', '--key', keyFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`swarmtask: ${keyFile}: cannot read keypair file (ENOENT): create one with swarmtask keygen --out ${keyFile}\n`);
    const { generateKeypair } = await import('../../shared/keypair.js');
    writeKeypairFile(keyFile, generateKeypair());
    const badConcurrency = await runCli(['worker', '--key', keyFile, '--concurrency', '0']);
    expect(badConcurrency.code).toBe(2);
    expect(badConcurrency.stderr).toMatch(/--concurrency must be an integer 1\.\.100/);
    const badBudget = await runCli(['worker', '--key', keyFile, '--max-cost-per-todo', '-1']);
    expect(badBudget).toMatchObject({ code: 2, stderr: 'swarmtask: --max-cost-per-todo / SWARMTASK_MAX_COST_PER_TODO must be a positive number, got "-1"\n' });
    const badBudgetEnv = await runCli(['worker', '--key', keyFile], { SWARMTASK_MAX_CALLS_PER_TODO: '2.5' });
    expect(badBudgetEnv).toMatchObject({ code: 2, stderr: 'swarmtask: --max-calls-per-todo / SWARMTASK_MAX_CALLS_PER_TODO must be a positive integer, got "2.5"\n' });
    const badDaily = await runCli(['worker', '--key', keyFile], { SWARMTASK_MAX_TOKENS_PER_DAY: 'lots' });
    expect(badDaily).toMatchObject({ code: 2, stderr: 'swarmtask: --max-tokens-per-day / SWARMTASK_MAX_TOKENS_PER_DAY must be a positive integer, got "lots"\n' });
    const badReward = await runCli(['worker', '--key', keyFile, '--min-reward', '0.0000000001']);
    expect(badReward).toMatchObject({ code: 2, stderr: 'swarmtask: --min-reward / SWARMTASK_MIN_REWARD must be an amount of SWARMS like 250 or 0.5 (at most 9 decimals), got "0.0000000001"\n' });
    const badTypes = await runCli(['worker', '--key', keyFile], { SWARMTASK_SWARM_TYPES: 'ConcurrentWorkflow, Sequential' });
    expect(badTypes).toMatchObject({ code: 2, stderr: expect.stringMatching(/^swarmtask: --swarm-types \/ SWARMTASK_SWARM_TYPES: unknown swarm type "Sequential"; expected some of AgentRearrange, /) });
    const badMap = await runCli(['worker', '--key', keyFile], { SWARMTASK_MODEL_MAP: 'nonsense' });
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/SWARMTASK_MODEL_MAP/);
  });

  it('--exit-when-idle: works through the queue, then stops by itself and exits 0', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const keyFile = join(dir.path, 'worker.json');
    writeKeypairFile(keyFile, t.stakedWorker());
    const todoIds = [1, 2].map(() => createTodo(t.coordinator.core, { spec: specFor('ConcurrentWorkflow'), priority: 0 }).todo.id);
    const args = [CLI, 'worker', '--key', keyFile, '--server', t.url, '--data', join(dir.path, 'outbox'), '--poll-ms', '200', '--no-audit', '--exit-when-idle', '2s', '--json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, SWARMTASK_MODEL_MAP: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { type: string; todoId?: number; idleMs?: number }[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as { type: string }));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(lines.filter((l) => l.type === 'submitted').map((l) => l.todoId).sort()).toEqual(todoIds);
    expect(lines.slice(-3).map((l) => l.type)).toEqual(['idle', 'stopping', 'stopped']);
    expect(lines.at(-3)!.idleMs).toBeGreaterThanOrEqual(2000);
    expect(lines.at(-1)).toMatchObject({ type: 'stopped', pendingSubmissions: 0 });
    const bad = await runCli(['worker', '--key', keyFile, '--exit-when-idle', 'later']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--exit-when-idle must be a duration like 90s, 10m or 2h, got "later"') });
  });

  it('runs as a process with the original environment names, prints JSON event lines, and stops on SIGTERM', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500, sweepIntervalMs: 100 });
    using dir = tempDir();
    const keypair = t.stakedWorker();
    const keyFile = join(dir.path, 'worker.json');
    writeKeypairFile(keyFile, keypair);
    // Budgets roomy enough for the work, to see the flags and variables arrive.
    const budgetFlags = ['--max-calls-per-todo', '10', '--max-cost-per-day', '2.5'];
    const child = spawn(process.execPath, [CLI, 'worker', '--key', keyFile, '--data', join(dir.path, 'outbox'), '--poll-ms', '200', ...budgetFlags], {
      env: {
        ...process.env,
        MIDDLE_SERVER_URL: t.url,
        TASK_ID: 'test-task',
        GITHUB_USERNAME: 'octo-worker',
        GITHUB_TOKEN: '',
        SWARMTASK_MODEL_MAP: '',
        SWARMTASK_MAX_TOKENS_PER_TODO: '50000',
        SWARMTASK_MAX_TOKENS_PER_DAY: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await vi.waitFor(() => expect(lines.map((l) => l.type)).toContain('registered'), { timeout: 20_000, interval: 50 });
      expect(lines.find((l) => l.type === 'registered')).toMatchObject({ stakingKey: keypair.publicKeyBase58, githubUsername: 'octo-worker' });
      const todoId = createTodo(t.coordinator.core, { spec: specFor('ConcurrentWorkflow'), priority: 0 }).todo.id;
      await vi.waitFor(() => expect(lines.filter((l) => l.type === 'submitted').map((l) => l.todoId)).toEqual([todoId]), { timeout: 20_000, interval: 50 });
      expect(getTodo(t.coordinator.core, todoId).status).toBe('in_review');
      // Its outbox, read beside the running worker through SWARMTASK_WORKER_DATA.
      const outbox = await runCli(['outbox', '--json'], { SWARMTASK_WORKER_DATA: join(dir.path, 'outbox') });
      const submitted = lines.find((l) => l.type === 'submitted')!;
      expect(JSON.parse(outbox.stdout)).toMatchObject({
        counts: { unreported: 0, reported: 0, sent: 1, refused: 0, dropped: 0 },
        coordinatorKeys: { 'test-task': { key: t.coordinator.core.coordinatorKey.publicKeyBase58, source: 'first contact' } },
        submissions: [{ todoId, state: 'sent', submissionCid: submitted.submissionCid, coordinatorSubmissionId: submitted.submissionId }],
        more: false,
        spentLastDay: { runs: 1, calls: 2, costUsd: 0 }, // two agents, one call each, on the (free) offline model
      });
      for (const type of ['started', 'claimed', 'ran', 'stored', 'reported', 'submitted']) expect(lines.map((l) => l.type)).toContain(type);
      for (const line of lines) expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      // With no model map given, the operator is told that answers come from the offline model.
      const started = lines.find((l) => l.type === 'started') as unknown as WorkerEvent;
      expect(started).toMatchObject({
        models: '*=offline',
        concurrency: 1,
        audits: true,
        budget: { maxCalls: 10, maxTokens: 50_000 },
        spendLimit: { maxCostUsd: 2.5, maxTokens: 1_000_000 },
      });
      expect(describeWorkerEvent(started)).toMatch(/models \*=offline: the offline model writes placeholder answers, set --model-map/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatchObject({ type: 'stopped', pendingSubmissions: 0 });
    expect(stderr).toBe('');
  });
});
