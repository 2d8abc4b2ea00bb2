import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeServerConfig, ENV_NAMES } from '../../server/config.js';
import { OTHER_VARIABLES, unknownVariables, withoutUnknownVariables } from '../../client/cli/environment.js';
import { runCli } from '../helpers/run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every SWARMTASK_* name the shipped code mentions (the bundle's build-time constant aside). */
function variablesInCode(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['client', 'server', 'shared', 'bin']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|mjs)$/.test(entry.name)) continue;
      const source = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const [name] of source.matchAll(/SWARMTASK_[A-Z0-9_]*[A-Z0-9]/g)) names.add(name);
    }
  }
  names.delete('SWARMTASK_BUILD_VERSION');
  return names;
}

describe('environment variables', () => {
  it('every SWARMTASK_* variable the code reads is known, so none is ever reported as a typo', () => {
    const inCode = [...variablesInCode()];
    expect(inCode.length).toBeGreaterThan(15);
    const env = Object.fromEntries(inCode.map((name) => [name, '1']));
    expect(unknownVariables(env)).toEqual([]);
  });

  it('names an unknown SWARMTASK_* variable, with the setting a typo away, and leaves other names alone', () => {
    expect(
      unknownVariables({
        SWARMTASK_LEASE_MSS: '5',
        SWARMTASK_DATADIR: '/srv',
        SWARMTASK_PROT: '1',
        SWARMTASK_RETENTION_DAYS: '3',
        SWARMTASK_COLOUR: 'blue',
        SWARMTASK_PORT: '1',
        PATH: '/bin',
        GITHUB_TOKEN: 'x',
      }),
    ).toEqual([
      { name: 'SWARMTASK_COLOUR' },
      { name: 'SWARMTASK_DATADIR', suggestion: ENV_NAMES.dataDir },
      { name: 'SWARMTASK_LEASE_MSS', suggestion: ENV_NAMES.leaseMs },
      { name: 'SWARMTASK_PROT', suggestion: ENV_NAMES.port },
      { name: 'SWARMTASK_RETENTION_DAYS', suggestion: ENV_NAMES.eventRetentionDays },
    ]);
    // What `up` hands its workers, so they do not repeat the warning it printed.
    expect(withoutUnknownVariables({ SWARMTASK_COLOUR: 'blue', SWARMTASK_PORT: '1', PATH: '/bin' })).toEqual({ SWARMTASK_PORT: '1', PATH: '/bin' });
  });

  it('says where each setting comes from: a flag beats the environment, which beats the default', () => {
    const entries = describeServerConfig({ SWARMTASK_PORT: '9000', SWARMTASK_DATA_DIR: '/env', SWARMTASK_LOG_FILE: '' }, { dataDir: '/flag' });
    const byKey = Object.fromEntries(entries.map((e) => [e.key, e]));
    expect(byKey.port).toMatchObject({ variable: 'SWARMTASK_PORT', value: 9000, source: 'environment' });
    expect(byKey.dataDir).toMatchObject({ value: '/flag', source: 'flag' });
    expect(byKey.leaseMs).toMatchObject({ value: 60_000, source: 'default' });
    expect(byKey.logFile).toMatchObject({ value: undefined, source: 'default' });
    expect(entries.map((e) => e.key).sort()).toEqual(Object.keys(ENV_NAMES).sort());
  });

  it('swarmtask config shows the settings and the variables set, hiding keys; a typo is warned about by every command', async () => {
    const env = { SWARMTASK_PORT: '9000', SWARMTASK_API_KEY: 'sk_secret', GITHUB_TOKEN: 'ghp_secret', SWARMTASK_SERVER_URL: 'http://127.0.0.1:9000' };
    const json = await runCli(['config', '--data', '/srv/swarmtask', '--json'], env);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(json.stdout).not.toMatch(/sk_secret|ghp_secret/);
    const shown = JSON.parse(json.stdout) as { settings: { key: string; value: unknown; source: string }[]; others: { variable: string; value: string }[] };
    expect(shown.settings.find((s) => s.key === 'port')).toMatchObject({ value: 9000, source: 'environment' });
    expect(shown.settings.find((s) => s.key === 'dataDir')).toMatchObject({ value: '/srv/swarmtask', source: 'flag' });
    expect(shown.others).toEqual(
      expect.arrayContaining([
        { variable: 'SWARMTASK_API_KEY', value: '(set, hidden)', about: OTHER_VARIABLES.SWARMTASK_API_KEY },
        { variable: 'GITHUB_TOKEN', value: '(set, hidden)', about: OTHER_VARIABLES.GITHUB_TOKEN },
        { variable: 'SWARMTASK_SERVER_URL', value: 'http://127.0.0.1:9000', about: OTHER_VARIABLES.SWARMTASK_SERVER_URL },
      ]),
    );
    const human = await runCli(['config'], env);
    expect(human.stdout).toMatch(/^ {2}SWARMTASK_PORT +9000 +environment$/m);
    expect(human.stdout).toMatch(/^ {2}SWARMTASK_LEASE_MS +60000 +default$/m);

    const bad = await runCli(['config'], { SWARMTASK_AUDIT_QUORUM: 'many' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^swarmtask: invalid configuration: SWARMTASK_AUDIT_QUORUM: /);

    const typo = await runCli(['--version'], { SWARMTASK_LEASE_MSS: '5000' });
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe('swarmtask: warning: SWARMTASK_LEASE_MSS is not a swarmtask setting and is ignored (did you mean SWARMTASK_LEASE_MS?)\n');
  });
});
