import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('swarmtask --version', () => {
  it("prints the package's version and the node it runs on", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const shown = await runCli(['--version']);
    expect(shown).toMatchObject({ code: 0, stdout: `${version} (node ${process.version})\n`, stderr: '' });
  });
});
