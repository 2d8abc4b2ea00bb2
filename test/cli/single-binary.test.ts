import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/coordinator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the single binary (npm run build:binary)', () => {
  it('builds one executable that runs the whole loop with nothing else installed, its workers as copies of itself', { timeout: 240_000 }, async () => {
    using dir = tempDir();
    const binary = join(dir.path, 'swarmtask');
    const built = await run(process.execPath, [join(ROOT, 'bin/build-binary.mjs'), binary], { cwd: ROOT });
    expect(built.stdout).toMatch(/^built .*swarmtask \(\d+ MB, node v20\.\d+\.\d+, [\d.]+ s\)\n$/);

    // Run from an empty directory with a bare environment: no node_modules, no source tree near it.
    const cache = join(dir.path, 'cache');
    const env = { PATH: '/usr/bin:/bin', HOME: dir.path, XDG_CACHE_HOME: cache };
    const work = join(dir.path, 'elsewhere');
    const up = spawn(binary, ['up', '--port', '0', '--round-ms', '2000', '--data', join(work, 'data')], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    up.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    up.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(up, 'exit');
    const paid = () => [...stdout.matchAll(/payout list signed and stored: \S+ \(total ([\d,]+) SWARMS\)$/gm)].reduce((sum, m) => sum + Number(m[1]!.replace(/,/g, '')), 0);
    try {
      await vi.waitFor(() => expect(paid(), `${stdout}\n${stderr}`).toBe(1600), { timeout: 150_000, interval: 200 });
    } finally {
      up.kill('SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    // The workers it started were the binary itself, and they did the work.
    expect(stdout).toMatch(/^\S+ [AP]M {2}todo 1 swarm finished on worker-\d; result and signed proof stored on IPFS$/m);
    // No warnings (e.g. Node's about require() inside a single executable), nothing on stderr.
    expect(stderr).toBe('');

    expect((await run(binary, ['--version'], { env })).stdout).toBe(`${VERSION} (node ${process.version}, single binary)\n`);
    // Admin commands from the binary read the same store.
    const status = await run(binary, ['status', '--data', join(work, 'data')], { env });
    expect(status.stdout).toMatch(/^todos +4 done$/m);
    // Its native addon and migrations were unpacked once into the cache dir.
    const [unpacked] = readdirSync(join(cache, 'swarmtask'));
    expect(existsSync(join(cache, 'swarmtask', unpacked!, 'better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(cache, 'swarmtask', unpacked!, 'drizzle', 'meta', '_journal.json'))).toBe(true);
  });
});
