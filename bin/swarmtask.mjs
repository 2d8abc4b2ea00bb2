#!/usr/bin/env node
// Runs the CLI with no build step after `npm ci`: from an esbuild bundle of the TypeScript that is
// rebuilt whenever a source changes (bin/cli-bundle.mjs), or through tsx when it cannot bundle
// (esbuild left out of a production install) or SWARMTASK_FROM_SOURCE=1 asks for it. With
// SWARMTASK_USE_DIST=1 (the Docker image) it runs the compiled build from `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_ENTRY, CLI_SOURCE_DIRS, ensureCliBundle } from './cli-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/client/cli/main.js`;
if (process.env.SWARMTASK_USE_DIST === '1' && existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const bundle =
    process.env.SWARMTASK_FROM_SOURCE === '1'
      ? { path: null }
      : await ensureCliBundle({ root, entry: CLI_ENTRY, sourceDirs: CLI_SOURCE_DIRS });
  if (bundle.path) {
    await import(pathToFileURL(bundle.path).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(`${root}${CLI_ENTRY}`).href);
  }
}
