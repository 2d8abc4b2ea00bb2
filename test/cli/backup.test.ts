import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTodo } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

describe('swarmtask backup / restore', () => {
  it('backs up the data dir of a running coordinator, restores it elsewhere, and says what it refuses and why', async () => {
    await using t = await startTestCoordinator();
    using dir = tempDir();
    const env = { SWARMTASK_TASK_ID: 'test-task' };
    for (let i = 0; i < 2; i++) createTodo(t.coordinator.core, { spec: SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC), priority: 0 });
    const file = join(dir.path, 'coordinator-backup.db');

    const backup = await runCli(['backup', file, '--data', t.dataDir], env);
    expect(backup.stderr).toBe('');
    expect(backup.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^backed up ${t.dataDir}/swarmtask\\.db to ${file} \\(\\d+\\.\\d MB in \\d+ ms\\): 2 todos, 1 round, 0 workers, \\d+ events, 0 IPFS blocks$`)),
      // The signing key is a secret kept beside the store, not in it: the operator is told.
      `not in the backup: the coordinator's signing key ${t.dataDir}/coordinator-key.json (payout lists are signed with it); keep a copy with your secrets`,
      '',
    ]);
    const again = await runCli(['backup', file, '--data', t.dataDir], env);
    expect(again).toMatchObject({ code: 2, stderr: `swarmtask: ${file} already exists: give a new file name (a backup never overwrites)\n` });
    const remote = await runCli(['backup', join(dir.path, 'x.db'), '--server', t.url, '--api-key', t.apiKey], env);
    expect(remote).toMatchObject({ code: 2, stderr: "swarmtask: backup works on the data dir (run it on the coordinator's machine with --data DIR), not on --server\n" });

    const busy = await runCli(['restore', file, '--data', t.dataDir, '--replace'], env);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(`swarmtask: a coordinator is running on the data dir ${t.dataDir} (pid ${process.pid}, ${t.url}): stop it before restoring into it\n`);

    const target = join(dir.path, 'restored');
    const restore = await runCli(['restore', file, '--data', target], env);
    expect(restore.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^restored ${file} as ${target}/swarmtask\\.db: 2 todos, 1 round, 0 workers, \\d+ events, 0 IPFS blocks$`)),
      `no coordinator signing key in ${target}: copy the old coordinator-key.json there first, or a new key will sign payout lists from now on (and workers that pinned the old key refuse to start until their operators accept the new one)`,
      `start the coordinator on it: swarmtask server --data ${target}`,
      '',
    ]);
    const listed = JSON.parse((await runCli(['todo', 'list', '--data', target, '--json'], env)).stdout) as { todos: { id: number }[] };
    expect(listed.todos.map((todo) => todo.id)).toEqual([2, 1]);
    const over = await runCli(['restore', file, '--data', target], env);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/swarmtask\.db already exists: pass --replace to restore over it/);
    const replaced = JSON.parse((await runCli(['restore', file, '--data', target, '--replace', '--json'], env)).stdout) as { keptPrevious: string; todos: number };
    expect(replaced).toMatchObject({ todos: 2, keptPrevious: expect.stringMatching(new RegExp(`^${target}/swarmtask\\.db\\.before-restore-\\d{4}-`)) });
  });
});
