import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by the single binary's build (esbuild `define`); absent when running from source or dist/. */
declare const SWARMTASK_BUILD_VERSION: string | undefined;

/** `0.1.0 (node v20.20.2)`, or `… single binary)`: what a bug report needs. */
export function cliVersion(): string {
  if (typeof SWARMTASK_BUILD_VERSION === 'string') return `${SWARMTASK_BUILD_VERSION} (node ${process.version}, single binary)`;
  return `${packageVersion()} (node ${process.version})`;
}

/** The version in the package.json above this module (source tree or the compiled dist/). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = resolve(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'swarmtask' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
