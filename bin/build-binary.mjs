#!/usr/bin/env node
// Builds the single binary: `npm run build:binary [-- OUT]` (default dist-bin/swarmtask).
// The bundled CLI (esbuild, CommonJS), better-sqlite3's native addon and the migrations go into
// a Node single executable application (a copy of this node binary with the blob injected by
// postject). It runs where this node runs (same OS, architecture and glibc), with nothing else
// installed. See client/cli/sea-main.ts for how it loads the addon.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = resolve(process.argv[2] ?? join(root, 'dist-bin', 'swarmtask'));
const work = `${output}.build`;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const require = createRequire(import.meta.url);
const started = performance.now();

// Modules loaded through createRequire (lazily, to keep CLI start-up fast) become plain
// require() calls, which esbuild bundles and still runs only when first reached.
const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    b.onLoad({ filter: /\/(server|client|shared)\/.*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('createRequire(import.meta.url)')) return undefined;
      const contents = source
        .replace(/createRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g, 'require($1)')
        .replace(/const require = createRequire\(import\.meta\.url\);/g, '');
      return { contents, loader: 'ts' };
    });
  },
};
// Optional native modules are not carried: requiring one fails as on a platform without a
// prebuilt binary, and their users fall back (signatures to node:crypto, ws to plain JS); a real
// require() of them would also make Node warn on every start.
const absentModules = {
  name: 'absent-modules',
  setup(b) {
    b.onResolve({ filter: /^(sodium-native|bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({ contents: `throw new Error(${JSON.stringify(`${args.path} is not in the single binary`)});`, loader: 'js' }));
  },
};
const bundle = join(work, 'swarmtask.cjs');
await build({
  entryPoints: [join(root, 'client/cli/sea-main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: bundle,
  define: { 'import.meta.url': '__swarmtaskBundleUrl', SWARMTASK_BUILD_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  banner: { js: 'var __swarmtaskBundleUrl = require("node:url").pathToFileURL(process.execPath).href;' },
  plugins: [lazyRequires, absentModules],
  logLevel: 'error',
});

const migrationsDir = join(root, 'drizzle');
const migrations = {};
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else migrations[relative(migrationsDir, path)] = readFileSync(path, 'utf8');
  }
};
walk(migrationsDir);
writeFileSync(join(work, 'migrations.json'), JSON.stringify(migrations));

const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node');
const blob = join(work, 'sea.blob');
writeFileSync(
  join(work, 'sea-config.json'),
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    assets: { 'better_sqlite3.node': addon, 'migrations.json': join(work, 'migrations.json') },
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
mkdirSync(dirname(output), { recursive: true });
rmSync(output, { force: true });
copyFileSync(process.execPath, output);
chmodSync(output, 0o755);
const postject = join(dirname(require.resolve('postject/package.json')), 'dist/cli.js');
execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (process.env.SWARMTASK_KEEP_BUILD !== '1') rmSync(work, { recursive: true, force: true });
const megabytes = (statSync(output).size / 1024 / 1024).toFixed(0);
console.log(`built ${relative(process.cwd(), output) || output} (${megabytes} MB, node ${process.version}, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
