import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { WorkerClient } from '../../client/worker-client.js';
import type { OperatorClient } from '../../client/operator-client.js';
import { registerWorker, setStake } from '../../server/auth/workers.js';
import { cancelTodo, createTodo, getTodo } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { generateKeypair, writeKeypairFile } from '../../shared/keypair.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { commandPath } from '../../bin/debian-package.mjs';
import { unknownVariables } from '../../client/cli/environment.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The README's "From code" TypeScript block, exactly as a reader copies it. */
function readmeClientSnippet(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = /From code, the typed client[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no "From code" ts block');
  return block;
}

/** The README's operator-client TypeScript block. */
function readmeOperatorSnippet(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = /Operators and API users hold an API key[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no operator client ts block');
  return block;
}

describe('the README', () => {
  it('operator client snippet adds a todo and hears how it ends', async () => {
    const snippet = readmeOperatorSnippet();
    expect(snippet).toContain("'http://127.0.0.1:8787'");
    await using t = await startTestCoordinator();
    const file = join(REPO, `.readme-operator-${process.pid}.ts`);
    writeFileSync(file, `${snippet.replace("'http://127.0.0.1:8787'", JSON.stringify(t.url))}\nexport { operator, todo };\n`);
    const said: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void said.push(String(line)));
    process.env.SWARMTASK_API_KEY = t.apiKey;
    let operator: OperatorClient | undefined;
    try {
      let todo: { id: number };
      ({ operator, todo } = (await import(file)) as { operator: OperatorClient; todo: { id: number } });
      expect(getTodo(t.coordinator.core, todo.id)).toMatchObject({ status: 'initialized', spec: { task: 'Summarize the quarterly report' } });
      await vi.waitFor(() => expect(t.coordinator.wss.clients.size).toBe(1)); // subscribed
      cancelTodo(t.coordinator.core, todo.id);
      await vi.waitFor(() => expect(said).toEqual([`todo ${todo.id}: todo.cancelled`]));
    } finally {
      log.mockRestore();
      delete process.env.SWARMTASK_API_KEY;
      await operator?.close();
      rmSync(file, { force: true });
    }
  });

  it("'From code' snippet claims, heartbeats and completes a todo against a real coordinator", async () => {
    const snippet = readmeClientSnippet();
    // What a reader adapts: the server URL and the key file; the task id is the server's default.
    for (const placeholder of ["'http://127.0.0.1:8787'", "readKeypairFile('worker.json')", "taskId: 'swarmtask-local'"]) {
      expect(snippet).toContain(placeholder);
    }
    await using t = await startTestCoordinator({ taskId: 'swarmtask-local' });
    using dir = tempDir();
    const keypair = generateKeypair();
    const keyFile = join(dir.path, 'worker.json');
    writeKeypairFile(keyFile, keypair);
    registerWorker(t.coordinator.core, { stakingKey: keypair.publicKeyBase58 });
    setStake(t.coordinator.core, keypair.publicKeyBase58, t.coordinator.core.auth.minStake);
    const todoId = createTodo(t.coordinator.core, { spec: SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC), priority: 0 }).todo.id;

    // At the repository root, where its relative imports point; the export lets the test close the client.
    const file = join(REPO, `.readme-snippet-${process.pid}.ts`);
    writeFileSync(
      file,
      `${snippet
        .replace("'http://127.0.0.1:8787'", JSON.stringify(t.url))
        .replace("readKeypairFile('worker.json')", `readKeypairFile(${JSON.stringify(keyFile)})`)}\nexport { client };\n`,
    );
    let client: WorkerClient | undefined;
    try {
      ({ client } = (await import(file)) as { client: WorkerClient });
      await vi.waitFor(() => expect(getTodo(t.coordinator.core, todoId)).toMatchObject({ status: 'submitted', result: { answer: 42 } }));
      expect(getTodo(t.coordinator.core, todoId).holderKey).toBe(keypair.publicKeyBase58);
    } finally {
      await client?.close();
      rmSync(file, { force: true });
    }
  });

  it("systemd unit passes systemd-analyze verify, with its variables all known to swarmtask", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const unit = /```ini\n(# \/etc\/systemd\/system\/swarmtask\.service\n[\s\S]*?)```/.exec(readme)?.[1];
    if (!unit) throw new Error('README has no swarmtask.service block');
    const analyze = commandPath('systemd-analyze');
    expect(analyze, 'systemd-analyze is missing: apt-get install -y systemd (npm test does it when run as root)').not.toBe('');
    using dir = tempDir();
    // verify checks that ExecStart is executable: the checkout's own entry script stands in for the
    // binary, through a link in the temp dir, since systemd would split a checkout path with spaces.
    const binary = join(dir.path, 'swarmtask');
    symlinkSync(join(REPO, 'bin/swarmtask.mjs'), binary);
    const file = join(dir.path, 'swarmtask.service');
    writeFileSync(file, unit.replaceAll('/usr/local/bin/swarmtask', binary));
    const result = spawnSync(analyze, ['verify', file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // Every SWARMTASK_* it sets is a real setting (a typo there would be ignored, silently).
    const assigned = [...unit.matchAll(/\b(SWARMTASK_[A-Z_]+)=/g)].map((m) => m[1]!);
    expect(assigned.length).toBeGreaterThan(2);
    expect(unknownVariables(Object.fromEntries(assigned.map((name) => [name, '1'])))).toEqual([]);
  });
});
