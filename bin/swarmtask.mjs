#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx swarmtask` works right after `npm ci`
// with no build step. With SWARMTASK_USE_DIST=1 (the Docker image) it runs the compiled build
// from `npm run build` instead: about twice as fast to start, but stale after an edit.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/client/cli/main.js`;
if (process.env.SWARMTASK_USE_DIST === '1' && existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(`${root}client/cli/main.ts`).href);
}
