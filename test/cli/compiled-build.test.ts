import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/coordinator.js';
import { startServerProcess } from '../helpers/processes.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the compiled build (what the Docker image runs)', () => {
  it('compiles, finds its migrations and its own entry script from dist/, and serves', async () => {
    await run(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: ROOT, timeout: 240_000 });
    expect(existsSync(`${ROOT}dist/client/cli/main.js`)).toBe(true);
    const { stdout } = await run(process.execPath, ['-e', "import('./dist/client/cli/cli-entry.js').then((m) => console.log(m.cliEntryPath()))"], { cwd: ROOT });
    expect(stdout.trim()).toBe(`${ROOT}bin/swarmtask.mjs`);

    using dir = tempDir();
    const server = await startServerProcess(['--port', '0', '--data', dir.path], { SWARMTASK_USE_DIST: '1' });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.kill();
    }
  }, 300_000);
});
