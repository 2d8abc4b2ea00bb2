import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchTodos, contentKey, parseTodoLines } from '../../client/cli/todo-lines.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

const spec = (task: string) => ({ ...EXAMPLE_SWARM_SPEC, task });
const jsonl = (...lines: unknown[]) => `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

describe('reading todo lines', () => {
  it('takes todos or bare specs, fills what a line leaves out from the flags, and skips blank lines', () => {
    const { todos, problems } = parseTodoLines(jsonl(spec('bare'), '', { spec: spec('full'), priority: 7, repo: 'own/repo' }), { priority: 2, repo: 'flag/repo' });
    expect(problems).toEqual([]);
    expect(todos.map((t) => [t.line, t.input.spec.task, t.input.priority, t.input.repo])).toEqual([
      [1, 'bare', 2, 'flag/repo'],
      [3, 'full', 7, 'own/repo'],
    ]);
  });

  it('reports every bad line with its number and field', () => {
    const { todos, problems } = parseTodoLines(jsonl(spec('fine'), '{"spec": ', [1, 2], { spec: { task: 'no agents' } }, { spec: spec('x'), priority: 'high' }));
    expect(todos).toHaveLength(1);
    expect(problems).toEqual([
      expect.stringMatching(/^line 2: not JSON/),
      'line 3: expected an object (a todo, or a SwarmSpec)',
      expect.stringMatching(/^line 4: spec\.agents: /),
      expect.stringMatching(/^line 5: priority: /),
    ]);
  });

  it('--dedupe keys come from the content: the same todo written differently gets the same key; an own key is kept', () => {
    const a = { spec: { task: 't', agents: EXAMPLE_SWARM_SPEC.agents }, priority: 1 };
    const reordered = { priority: 1, spec: { agents: EXAMPLE_SWARM_SPEC.agents, task: 't' } };
    expect(contentKey(a)).toBe(contentKey(reordered));
    expect(contentKey(a)).toMatch(/^import:[0-9a-f]{32}$/);
    expect(contentKey({ ...a, priority: 2 })).not.toBe(contentKey(a));
    const { todos } = parseTodoLines(jsonl(a, { ...a, dedupeKey: 'mine' }), { dedupeByContent: true });
    expect(todos.map((t) => t.input.dedupeKey)).toEqual([contentKey(a), 'mine']);
  });

  it('batches by count and by size, and a todo larger than a batch goes alone', () => {
    const { todos } = parseTodoLines(jsonl(...Array.from({ length: 7 }, (_, i) => spec(i === 3 ? 'x'.repeat(5000) : `t${i}`))));
    expect(batchTodos(todos, 3, 1e9).map((b) => b.map((t) => t.line))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(batchTodos(todos, 100, 4000).map((b) => b.map((t) => t.line))).toEqual([[1, 2, 3], [4], [5, 6, 7]]);
  });
});

describe('swarmtask todo import', () => {
  it('imports a file on the data dir, and with --dedupe a second run adds nothing', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const file = join(dir.path, 'todos.jsonl');
    writeFileSync(file, jsonl(...Array.from({ length: 12 }, (_, i) => ({ spec: spec(`task ${i}`), priority: i % 3 }))));
    const first = await runCli(['todo', 'import', file, '--data', data, '--dedupe', '--batch', '5', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const imported = JSON.parse(first.stdout) as { lines: number; created: number; existing: number; ids: number[] };
    expect(imported).toMatchObject({ lines: 12, created: 12, existing: 0 });
    expect(new Set(imported.ids).size).toBe(12);

    const second = await runCli(['todo', 'import', file, '--data', data, '--dedupe']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`imported 12 todo(s) from ${file}: 0 queued, 12 already there (same dedupe key)\n`);
    const listed = JSON.parse((await runCli(['todo', 'list', '--data', data, '--limit', '100', '--json'])).stdout) as { todos: { id: number; spec: { task: string } }[] };
    expect(listed.todos.map((t) => t.spec.task).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `task ${i}`).sort());
  });

  it('a file with bad lines imports nothing and exits 2 naming each line', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const file = join(dir.path, 'todos.jsonl');
    writeFileSync(file, jsonl(spec('fine'), { spec: { task: 'no agents' } }, 'nope'));
    const result = await runCli(['todo', 'import', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/todos\.jsonl: nothing imported, 2 problem\(s\):\n {2}line 2: spec\.agents: .*\n {2}line 3: not JSON/);
    const empty = await runCli(['todo', 'import', '-', '--data', data], {}, undefined, '\n\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/standard input holds no todos/);
  });

  it('against a running server, a batch the server refuses says which lines made it and how to resume', async () => {
    await using t = await startTestCoordinator();
    const lines = jsonl(
      spec('one'),
      spec('two'),
      { ...spec('three'), schedule: { scheduled_time: '2030-01-01T09:00:00', timezone: 'Mars/Olympus' } },
      spec('four'),
    );
    const result = await runCli(['todo', 'import', '-', '--server', t.url, '--api-key', t.apiKey, '--batch', '2'], {}, undefined, lines);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /lines 3-4 were refused \(todos\.0\.spec\.schedule: schedule\.timezone "Mars\/Olympus" is not an IANA time zone\); lines up to 2 were imported; to resume, import the lines after line 2/,
    );
    const counts = JSON.parse((await runCli(['status', '--server', t.url, '--api-key', t.apiKey, '--json'])).stdout) as { todos: Record<string, number> };
    expect(counts.todos).toEqual({ initialized: 2 });
  });
});
