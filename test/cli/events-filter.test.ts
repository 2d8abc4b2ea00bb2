import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { cancelTodo, createTodo, pauseClaims } from '../../server/queue/index.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { spec } from '../helpers/rounds.js';
import { CLI, runCli } from '../helpers/run-cli.js';

describe('swarmtask events --type / --todo / --since', () => {
  it('shows only the events asked for, the newest first found, on the data dir and while following a server', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    const data = ['--data', t.dataDir];
    const [first, second, third] = [0, 1, 2].map(() => createTodo(core, { spec, priority: 0 }).todo.id);
    cancelTodo(core, first!);
    pauseClaims(core, 'upgrade');
    cancelTodo(core, third!);
    const lines = async (...args: string[]) => {
      const run = await runCli(['events', ...args, ...data], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return run.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^\S+ {2}#\d+ {2}/, ''));
    };

    expect(await lines('--type', 'todo.cancelled')).toEqual([`todo ${first} cancelled`, `todo ${third} cancelled`]);
    // Several prefixes (repeated or comma-separated) match any; --last keeps the newest matches.
    expect(await lines('--type', 'queue.', '--type', 'todo.cancelled', '--last', '2')).toEqual(['claims paused by the operator (upgrade)', `todo ${third} cancelled`]);
    expect(await lines('--type', 'queue.,todo.cancelled', '--last', '2')).toEqual(['claims paused by the operator (upgrade)', `todo ${third} cancelled`]);
    const ofSecond = JSON.parse(`[${(await runCli(['events', '--todo', String(second), '--json', ...data], env)).stdout.trim().split('\n').join(',')}]`) as { type: string; todoId: number }[];
    expect(ofSecond.map((e) => [e.type, e.todoId])).toEqual([
      ['todo.created', second],
      ['todo.available', second],
    ]);
    expect(await lines('--type', 'nothing.')).toEqual([]);
    // --since: everything since then (no --last cap). The log up to the first cancellation is two
    // hours old (aged in order: the log stays in time order).
    const firstCancelled = core.sqlite.prepare("SELECT id FROM events WHERE type = 'todo.cancelled' ORDER BY id LIMIT 1").get() as { id: number };
    core.sqlite.prepare('UPDATE events SET created_at = created_at - 7200000 WHERE id <= ?').run(firstCancelled.id);
    expect(await lines('--type', 'todo.cancelled', '--since', '1h')).toEqual([`todo ${third} cancelled`]);
    expect(await lines('--type', 'todo.cancelled', '--since', '3h')).toEqual([`todo ${first} cancelled`, `todo ${third} cancelled`]);
    const sinceHour = (await runCli(['events', '--since', '1h', '--json', ...data], env)).stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: number }).id);
    expect(sinceHour[0]).toBe(firstCancelled.id + 1);
    expect(sinceHour).toEqual(sinceHour.map((_, i) => firstCancelled.id + 1 + i)); // every one, in order
    expect(await lines('--since', new Date(Date.now() + 60_000).toISOString())).toEqual([]);
    const badSince = await runCli(['events', '--since', 'yesterday', ...data], env);
    expect(badSince).toMatchObject({ code: 2, stderr: 'swarmtask: --since must be a duration like 30m, 2h or 7d, or an ISO date-time, got "yesterday"\n' });
    const zero = await runCli(['events', '--todo', '0', ...data], env);
    expect(zero).toMatchObject({ code: 2, stderr: 'swarmtask: --todo must be a todo id (1 or more)\n' });

    const child = spawn(process.execPath, [CLI, 'events', '--follow', '--last', '0', '--type', 'todo.cancelled', '--server', t.url, '--api-key', t.apiKey], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const followed: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => followed.push(line));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Cancellations before it started reading are (rightly) not new to it: cancel more until one shows.
      const cancelled: number[] = [];
      await vi.waitFor(
        () => {
          const id = createTodo(core, { spec, priority: 0 }).todo.id;
          cancelTodo(core, id);
          cancelled.push(id);
          expect(followed.some((line) => cancelled.some((c) => line.endsWith(`todo ${c} cancelled`)))).toBe(true);
        },
        { timeout: 20_000, interval: 500 },
      );
      expect(followed.every((line) => / {2}todo \d+ cancelled$/.test(line))).toBe(true);
      expect(followed.some((line) => line.endsWith(`todo ${third} cancelled`))).toBe(false);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
