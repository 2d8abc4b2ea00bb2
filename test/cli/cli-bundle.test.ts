import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureCliBundle } from '../../bin/cli-bundle.mjs';
import { tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

const run = promisify(execFile);
const bundleModule = new URL('../../bin/cli-bundle.mjs', import.meta.url).href;

/** A tiny TypeScript program laid out like the CLI: an entry importing a second module. */
function writeProgram(root: string, greeting: string): void {
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src/main.ts'), "import { greeting } from './greeting.js';\nconst who: string = process.argv[2] ?? 'world';\nconsole.log(`${greeting}, ${who}`);\n");
  writeFileSync(join(root, 'src/greeting.ts'), `export const greeting: string = ${JSON.stringify(greeting)};\n`);
}

const options = (root: string) => ({ root, entry: 'src/main.ts', sourceDirs: ['src'], cacheDir: join(root, 'cache') });
const bundles = (root: string) => readdirSync(join(root, 'cache')).sort();
const runBundle = async (path: string, ...args: string[]) => (await run(process.execPath, [path, ...args])).stdout;

describe('the CLI bundle (bin/cli-bundle.mjs)', () => {
  it('builds once, reuses the bundle while the sources are unchanged, and rebuilds after an edit', async () => {
    using dir = tempDir();
    writeProgram(dir.path, 'hello');
    const first = await ensureCliBundle(options(dir.path));
    expect(first).toMatchObject({ built: true });
    expect(await runBundle(first.path!, 'operator')).toBe('hello, operator\n');

    expect(await ensureCliBundle(options(dir.path))).toEqual({ path: first.path, built: false });

    writeProgram(dir.path, 'good morning');
    const edited = await ensureCliBundle(options(dir.path));
    expect(edited).toMatchObject({ built: true });
    expect(edited.path).not.toBe(first.path);
    expect(await runBundle(edited.path!)).toBe('good morning, world\n');
    // The earlier bundle stays: a process started from it may still import its chunks.
    expect(existsSync(first.path!)).toBe(true);
  });

  it('a new file or a removed one makes a new bundle too', async () => {
    using dir = tempDir();
    writeProgram(dir.path, 'hello');
    const first = await ensureCliBundle(options(dir.path));
    writeFileSync(join(dir.path, 'src/unused.ts'), 'export const unused = 1;\n');
    const added = await ensureCliBundle(options(dir.path));
    expect(added.path).not.toBe(first.path);
    expect(added).toMatchObject({ built: true });
  });

  it('when esbuild rejects a source it says why and builds nothing, so the caller runs the sources', async () => {
    using dir = tempDir();
    writeProgram(dir.path, 'hello');
    writeFileSync(join(dir.path, 'src/greeting.ts'), 'export const greeting: string = ;\n');
    const result = await ensureCliBundle(options(dir.path));
    expect(result.path).toBeNull();
    expect(result).toMatchObject({ reason: expect.stringMatching(/^esbuild could not bundle the CLI: src\/greeting.ts:1: Unexpected ";"$/) });
    expect(bundles(dir.path)).toEqual([]);
  });

  it('processes starting together on a fresh cache all get the same bundle, and one copy is kept', async () => {
    using dir = tempDir();
    writeProgram(dir.path, 'hello');
    const script = `const { ensureCliBundle } = await import(${JSON.stringify(bundleModule)});
      const r = await ensureCliBundle(${JSON.stringify(options(dir.path))});
      process.stdout.write(String(r.path));`;
    const paths = await Promise.all(Array.from({ length: 4 }, async () => (await run(process.execPath, ['--input-type=module', '-e', script])).stdout));
    expect(new Set(paths).size).toBe(1);
    expect(paths[0]).toMatch(/cli-[0-9a-f]{16}\/main\.mjs$/);
    expect(bundles(dir.path)).toHaveLength(1);
    expect(await runBundle(paths[0]!)).toBe('hello, world\n');
  });

  it('a new build deletes bundles unused for a week and builds that died, and keeps recent ones', async () => {
    using dir = tempDir();
    const cache = join(dir.path, 'cache');
    const aged = (name: string, hoursAgo: number) => {
      mkdirSync(join(cache, name), { recursive: true });
      const then = new Date(Date.now() - hoursAgo * 3600 * 1000);
      utimesSync(join(cache, name), then, then);
    };
    aged('cli-0000000000000001', 8 * 24);
    aged('cli-0000000000000002', 24);
    aged('cli-0000000000000003.tmp-1-1', 2);
    aged('cli-0000000000000004.tmp-1-2', 0);
    aged('other-tool', 30 * 24);
    writeProgram(dir.path, 'hello');
    const built = await ensureCliBundle(options(dir.path));
    expect(bundles(dir.path)).toEqual(
      ['cli-0000000000000002', 'cli-0000000000000004.tmp-1-2', built.path!.split('/').at(-2)!, 'other-tool'].sort(),
    );
  });

  it('the swarmtask command runs from the sources through tsx when SWARMTASK_FROM_SOURCE=1', async () => {
    const fromSource = await runCli(['--version'], { SWARMTASK_FROM_SOURCE: '1' });
    const bundled = await runCli(['--version']);
    expect(fromSource).toMatchObject({ code: 0, stderr: '' });
    expect(fromSource.stdout).toBe(bundled.stdout);
  });
});
