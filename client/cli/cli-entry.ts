import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSea } from 'node:sea';

/**
 * The `swarmtask` entry script (bin/swarmtask.mjs), found upward from this module so that it is
 * the same from the source tree and from the compiled `dist/` of the Docker image.
 */
export function cliEntryPath(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = resolve(dir, 'bin/swarmtask.mjs');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`bin/swarmtask.mjs not found above ${start}`);
  }
}

/**
 * What follows `process.execPath` to run this CLI again (for child processes): the entry script,
 * or nothing in the single binary, which is the CLI itself.
 */
export function cliEntryArgs(): string[] {
  return isSea() ? [] : [cliEntryPath()];
}
