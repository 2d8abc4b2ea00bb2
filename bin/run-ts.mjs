#!/usr/bin/env node
// Runs one TypeScript file through tsx (used by `npm run bench`).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
// The script sees itself as argv[1], as if node had run it directly.
process.argv.splice(1, 2, resolve(file));
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(resolve(file)).href);
