import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { checkRows } from '../helpers/check-lines.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

const offline = { SWARMTASK_MODEL_MAP: '*=offline', SWARMTASK_WEBHOOK_URL: '', SWARMTASK_PORT: '' };

describe('swarmtask server --check', () => {
  it('on a fresh data dir: ready, and nothing is created', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const result = await runCli(['server', '--check', '--data', data, '--port', '0'], offline);
    expect(result.code).toBe(0);
    expect(checkRows(result.stdout).map(([status, name]) => `${status} ${name}`)).toEqual(['ok config', 'ok data dir', 'ok store', 'ok port', 'ok disk', 'ok signing key', 'warn models']);
    expect(result.stdout).toMatch(/^ok +store +none yet: created \(and migrated\) at the first start$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('ready: start the coordinator without --check');
    expect(existsSync(data)).toBe(false);
  });

  it('says which migrations a start will apply, refuses a store from a newer release or one that is not SQLite, and a taken port', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    expect((await runCli(['todo', 'add', writeExampleSpec(dir.path), '--data', data], offline)).code).toBe(0);
    const store = join(data, 'swarmtask.db');
    const ready = await runCli(['server', '--check', '--data', data, '--port', '0'], offline);
    expect(ready.stdout).toMatch(new RegExp(`^ok +store +${store}, [\\d.]+ KiB, passes SQLite's quick check; \\d+ migrations applied, none to apply$`, 'm'));

    const db = new Database(store);
    const newest = db.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { created_at: number };
    db.prepare('DELETE FROM __drizzle_migrations WHERE created_at = ?').run(newest.created_at);
    db.close();
    const behind = await runCli(['server', '--check', '--data', data, '--port', '0', '--json'], offline);
    const store1 = (JSON.parse(behind.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.find((c) => c.name === 'store');
    expect(store1).toMatchObject({ status: 'ok', detail: expect.stringMatching(/, 1 to apply at start \(back it up first: swarmtask backup FILE\)$/) });

    const newer = new Database(store);
    newer.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', newest.created_at + 86_400_000 * 365);
    newer.close();
    const tooNew = await runCli(['server', '--check', '--data', data, '--port', '0'], offline);
    expect(tooNew.code).toBe(1);
    expect(tooNew.stdout).toMatch(/^fail +store +.* was migrated by a newer swarmtask than this one: run the newer release, or restore a backup made by this one$/m);

    const junk = join(dir.path, 'junk');
    expect((await runCli(['todo', 'add', writeExampleSpec(dir.path), '--data', junk], offline)).code).toBe(0);
    writeFileSync(join(junk, 'swarmtask.db'), 'not a database, just some bytes '.repeat(200));
    const broken = await runCli(['server', '--check', '--data', junk, '--port', '0'], offline);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^fail +store +.*swarmtask\.db cannot be (opened|read as SQLite): /m);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = await runCli(['server', '--check', '--data', join(dir.path, 'fresh'), '--port', String(port)], offline);
      expect(busy.code).toBe(1);
      expect(busy.stdout).toMatch(new RegExp(`^fail +port +127\\.0\\.0\\.1:${port} is in use by another process \\(--port / SWARMTASK_PORT\\)$`, 'm'));
    } finally {
      taken.close();
    }
  });

  it('warns about a coordinator already serving the data dir, a signing key others can read, and an unsigned webhook', async () => {
    await using t = await startTestCoordinator();
    chmodSync(join(t.dataDir, 'coordinator-key.json'), 0o644);
    const env = { ...offline, SWARMTASK_WEBHOOK_URL: 'https://hooks.example.com/swarmtask' };
    const result = await runCli(['server', '--check', '--data', t.dataDir], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^warn +running +a coordinator serves this data dir \\(pid ${process.pid}, ${t.url}, since .*\\): another one here would be refused$`, 'm'));
    expect(result.stdout).not.toMatch(/^\w+ +port /m); // the running one holds it
    expect(result.stdout).toMatch(/^warn +signing key +.*coordinator-key\.json can be read by others \(mode 644\): chmod 600 /m);
    expect(result.stdout).toMatch(/^warn +webhook +https:\/\/hooks\.example\.com\/swarmtask, events todo\.done,.*; unsigned: set SWARMTASK_WEBHOOK_SECRET/m);
    chmodSync(join(t.dataDir, 'coordinator-key.json'), 0o600);
    const signed = await runCli(['server', '--check', '--data', t.dataDir], { ...env, SWARMTASK_WEBHOOK_SECRET: 'whsec-0123456789abcdef' });
    expect(signed.stdout).toMatch(/^ok +signing key +.*coordinator-key\.json \(mode 600\); keep a copy with your secrets, backups leave it out$/m);
    expect(signed.stdout).toMatch(/^ok +webhook +https:\/\/hooks\.example\.com\/swarmtask, events .*, signed; starts at the newest event$/m);
  });
});
