import { describe, expect, it, vi } from 'vitest';
import { cancelTodo, createTodo, pauseClaims } from '../../server/queue/index.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { freePort, startServerProcess } from '../helpers/processes.js';
import { spec } from '../helpers/rounds.js';
import { runCli, spawnCli, writeExampleSpec } from '../helpers/run-cli.js';

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

    const follower = spawnCli(['events', '--follow', '--last', '0', '--type', 'todo.cancelled', '--server', t.url, '--api-key', t.apiKey], env);
    const followed = follower.stdout;
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
      follower.kill();
    }
    expect(await follower.exited).toBe(0);
  });
});

describe('swarmtask events --follow across a coordinator restart', () => {
  it('waits for a coordinator that went away and resumes where it stopped, missing nothing', async () => {
    using dir = tempDir();
    const port = await freePort();
    const serverArgs = ['--data', dir.path, '--port', String(port), '--task-id', 'test-task'];
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    let server = await startServerProcess(serverArgs);
    const { key } = JSON.parse((await runCli(['keys', 'create', '--name', 'ops', '--data', dir.path, '--json'], env)).stdout) as { key: string };
    const spec = writeExampleSpec(dir.path);
    const add = async () => JSON.parse((await runCli(['todo', 'add', spec, '--data', dir.path, '--json'], env)).stdout).id as number;

    const follower = spawnCli(['events', '--follow', '--last', '0', '--type', 'todo.created', '--server', server.url, '--api-key', key], env);
    const { stdout: lines, stderr: notes } = follower;
    try {
      // Todos added before it started reading are (rightly) not new to it: add until one shows.
      const before: number[] = [];
      await vi.waitFor(
        async () => {
          before.push(await add());
          expect(lines.some((l) => before.some((id) => l.endsWith(`todo ${id} queued`)))).toBe(true);
        },
        { timeout: 20_000, interval: 500 },
      );
      await server.kill('SIGKILL');
      // Refused, or reset when the kill caught a request on the wire: either way the reason is named.
      await vi.waitFor(
        () =>
          expect(notes, notes.join('\n')).toContainEqual(
            expect.stringMatching(/^swarmtask: lost the coordinator \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)\); waiting for it, the events resume where they stopped$/),
          ),
        { timeout: 20_000 },
      );
      // Written while it is down (on the data dir), then the coordinator comes back on the same port.
      const whileDown = await add();
      server = await startServerProcess(serverArgs);
      const afterwards = await add();
      await vi.waitFor(() => expect(lines.some((l) => l.endsWith(`todo ${afterwards} queued`))).toBe(true), { timeout: 20_000 });
      const shown = lines.map((l) => Number(/todo (\d+) queued$/.exec(l)?.[1]));
      expect(shown.slice(shown.indexOf(whileDown))).toEqual([whileDown, afterwards]);
      expect(new Set(shown).size).toBe(shown.length); // nothing twice
      expect(notes.filter((n) => n.startsWith('swarmtask: lost the coordinator'))).toHaveLength(1);
      expect(notes.at(-1)).toMatch(/^swarmtask: the coordinator is back after \d+ (ms|s)$/);
    } finally {
      follower.kill();
      await server.kill();
    }
    expect(await follower.exited).toBe(0);
  });
});
