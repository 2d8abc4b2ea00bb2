// The CLI and its dependencies, bundled by esbuild into node_modules/.cache/swarmtask/ on first
// use and again whenever a source file changes. Node then loads a few dozen files instead of
// resolving ~700 (and tsx's loader hooks no longer sit on every one of them): a command starts in
// about half the time. Each bundle is named by a fingerprint of the sources, so concurrent first
// runs race harmlessly (each builds aside, one rename wins) and a running process keeps the
// chunks it may still import lazily.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What bin/swarmtask.mjs bundles: the CLI's entry and every directory it imports from. */
export const CLI_ENTRY = 'client/cli/main.ts';
export const CLI_SOURCE_DIRS = ['client', 'server', 'shared'];
/** Bundles nobody has started for this long are deleted when a new one is built. */
const UNUSED_BUNDLE_MS = 7 * 24 * 3600 * 1000;
/**
 * Left to node: native addons (better-sqlite3 finds its .node file from its own path), the
 * optional natives of ws, and what the code loads lazily through createRequire.
 */
const EXTERNAL = ['better-sqlite3', 'sodium-native', 'bufferutil', 'utf-8-validate', 'pino-pretty', 'gpt-tokenizer'];
/** CommonJS dependencies inside an ES module bundle still call require and read __dirname. */
const COMMONJS_SHIMS = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

/**
 * Path, size and mtime of every file under `dirs` and of each of `files` that exists, hashed: any
 * edit, addition or removal changes it.
 */
export function sourceFingerprint(root, dirs, files = []) {
  const entries = [];
  for (const file of files) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    entries.push(`${file}\0${stat.size}\0${stat.mtimeMs}`);
  }
  for (const dir of dirs) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath ?? entry.path, entry.name);
      const stat = statSync(path);
      entries.push(`${relative(root, path)}\0${stat.size}\0${stat.mtimeMs}`);
    }
  }
  entries.sort();
  return createHash('sha256').update(entries.join('\n')).digest('hex').slice(0, 16);
}

/**
 * The bundled entry for `entry` (a .ts file under root), building it if the sources changed.
 * Returns `{ path, built }`, or `{ path: null, reason }` when it cannot bundle (esbuild not
 * installed, a read-only install, a source esbuild rejects): the caller then runs the sources.
 */
export async function ensureCliBundle({ root, entry, sourceDirs, cacheDir = join(root, 'node_modules', '.cache', 'swarmtask') }) {
  let fingerprint;
  try {
    // npm rewrites node_modules/.package-lock.json on every install (the bundled dependencies may
    // have changed), and this file says how bundles are built.
    fingerprint = sourceFingerprint(root, sourceDirs, ['package.json', 'node_modules/.package-lock.json', 'bin/cli-bundle.mjs']);
  } catch (error) {
    return { path: null, reason: `cannot read the sources: ${error.message}` };
  }
  const dir = join(cacheDir, `cli-${fingerprint}`);
  const main = join(dir, 'main.mjs');
  if (existsSync(main)) {
    markUsed(dir);
    return { path: main, built: false };
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return { path: null, reason: 'esbuild is not installed' };
  }
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: { main: join(root, entry) },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: COMMONJS_SHIMS },
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    return { path: null, reason: `esbuild could not bundle the CLI: ${firstProblem(error)}` };
  }
  try {
    renameSync(staging, dir);
  } catch {
    // Another process finished the same bundle first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(main)) return { path: null, reason: `could not move the bundle into ${dir}` };
    return { path: main, built: false };
  }
  pruneUnused(cacheDir, dir);
  return { path: main, built: true };
}

/** `src/x.ts:3: Unexpected ";"` from esbuild's structured errors, else the message's first line. */
function firstProblem(error) {
  const [first] = error.errors ?? [];
  if (!first) return String(error.message).split('\n')[0];
  return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
}

/** A bundle's mtime says when it was last started (cheap, and what pruning goes by). */
function markUsed(dir) {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // A read-only cache only loses the pruning hint.
  }
}

function pruneUnused(cacheDir, keep) {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path === keep || !name.startsWith('cli-')) continue;
    try {
      const age = now - statSync(path).mtimeMs;
      // Staging dirs of builds that died are old after an hour; bundles after a week unused.
      if (age > (name.includes('.tmp-') ? 3600 * 1000 : UNUSED_BUNDLE_MS)) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to delete.
    }
  }
}
