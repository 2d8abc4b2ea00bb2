import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_SIZE_KIB, defaultMigrationsFolder, openDb, StoreTooNewError } from '../../server/db/open.js';
import { tempDir } from '../helpers/coordinator.js';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

describe('migrations', () => {
  const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder(), 'meta/_journal.json'), 'utf8')) as Journal;

  it('have strictly increasing timestamps (drizzle skips a migration older than the newest applied)', () => {
    const whens = journal.entries.map((e) => e.when);
    expect(whens).toEqual([...whens].sort((a, b) => a - b));
    expect(new Set(whens).size).toBe(whens.length);
  });

  it('all apply to a fresh file, once, and set the pragmas of DESIGN §3', () => {
    using dir = tempDir();
    const file = join(dir.path, 'store.db');
    const first = openDb({ file });
    const applied = first.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    expect(applied.n).toBe(journal.entries.length);
    expect(first.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL, set explicitly
    expect(first.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(first.sqlite.pragma('cache_size', { simple: true })).toBe(CACHE_SIZE_KIB);
    first.close();
    const again = openDb({ file, synchronous: 'FULL' });
    expect((again.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(journal.entries.length);
    expect(again.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    again.close();
  });

  it('moving specs out of todos (0006) and re-keying nonces (0005) keep what an older store holds', () => {
    using dir = tempDir();
    const file = join(dir.path, 'store.db');
    // An older release's store: migrations up to 0004 only.
    const older = join(dir.path, 'older-migrations');
    cpSync(defaultMigrationsFolder(), older, { recursive: true });
    const upTo0004 = { ...journal, entries: journal.entries.filter((e) => e.idx <= 4) };
    writeFileSync(join(older, 'meta/_journal.json'), JSON.stringify(upTo0004));
    const before = openDb({ file, migrationsFolder: older });
    const spec = { name: 'kept', swarm_type: 'SequentialWorkflow', task: 'analyse' };
    before.sqlite
      .prepare(
        `INSERT INTO todos (task_id, status, spec, reward, priority, available_at, announced, attempts, max_attempts, created_at, updated_at)
         VALUES ('t', 'initialized', ?, 1, 0, 1, 1, 0, 5, 1, 1)`,
      )
      .run(JSON.stringify(spec));
    before.sqlite.prepare('INSERT INTO nonces (staking_key, nonce, expires_at) VALUES (?, ?, ?)').run('key', 'n-1', 1_000_000);
    before.close();

    const after = openDb({ file });
    const todo = after.sqlite
      .prepare('SELECT t.swarm_type, s.spec FROM todos t JOIN todo_specs s ON s.todo_id = t.id')
      .get() as { swarm_type: string; spec: string };
    expect({ swarmType: todo.swarm_type, spec: JSON.parse(todo.spec) }).toEqual({ swarmType: 'SequentialWorkflow', spec });
    const columns = (after.sqlite.prepare('PRAGMA table_info(todos)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('spec');
    expect(after.sqlite.prepare('SELECT issued_at, staking_key, nonce FROM nonces').all()).toEqual([
      { issued_at: 1_000_000 - 240_000, staking_key: 'key', nonce: 'n-1' },
    ]);
    after.close();
  });

  it('counts the todos an older store holds (0012) and keeps counting through its triggers', () => {
    using dir = tempDir();
    const file = join(dir.path, 'store.db');
    const older = join(dir.path, 'older-migrations');
    cpSync(defaultMigrationsFolder(), older, { recursive: true });
    writeFileSync(join(older, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= 10) }));
    const before = openDb({ file, migrationsFolder: older });
    const insert = before.sqlite.prepare(
      `INSERT INTO todos (task_id, status, reward, priority, available_at, announced, attempts, max_attempts, created_at, updated_at)
       VALUES ('t', ?, 1, 0, 1, 1, 0, 5, 1, 1)`,
    );
    for (const status of ['initialized', 'initialized', 'initialized', 'failed', 'submitted', 'submitted']) insert.run(status);
    before.close();

    const after = openDb({ file });
    const counts = () => Object.fromEntries((after.sqlite.prepare('SELECT status, n FROM todo_status_counts WHERE n > 0').all() as { status: string; n: number }[]).map((r) => [r.status, r.n]));
    expect(counts()).toEqual({ initialized: 3, failed: 1, submitted: 2 });
    const triggers = after.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'todos' ORDER BY name").all();
    expect(triggers).toEqual([{ name: 'todos_count_delete' }, { name: 'todos_count_insert' }, { name: 'todos_count_update' }]);
    after.sqlite.prepare("UPDATE todos SET status = 'in_progress' WHERE status = 'initialized'").run();
    after.sqlite.prepare("DELETE FROM todos WHERE status = 'failed'").run();
    after.sqlite.prepare(`INSERT INTO todos (task_id, status, reward, priority, available_at, announced, attempts, max_attempts, created_at, updated_at) VALUES ('t', 'cancelled', 1, 0, 1, 1, 0, 5, 1, 1)`).run();
    expect(counts()).toEqual({ in_progress: 3, submitted: 2, cancelled: 1 });
    after.close();
  });

  it('an older build refuses a store a newer one migrated, and changes nothing', () => {
    using dir = tempDir();
    const file = join(dir.path, 'store.db');
    openDb({ file }).close();
    // This build, as the older release it will one day be: it knows migrations up to 0004 only.
    const older = join(dir.path, 'older-migrations');
    cpSync(defaultMigrationsFolder(), older, { recursive: true });
    const upTo0004 = journal.entries.filter((e) => e.idx <= 4);
    writeFileSync(join(older, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: upTo0004 }));
    const newest = journal.entries.at(-1)!.when;
    expect(() => openDb({ file, migrationsFolder: older })).toThrow(
      new StoreTooNewError(file, newest, upTo0004.at(-1)!.when),
    );
    expect(() => openDb({ file, migrationsFolder: older })).toThrow(/was migrated by a newer swarmtask .*: run the newer release, or restore a backup made by this one$/);
    // The current build still opens it, with every migration recorded once.
    const current = openDb({ file });
    expect((current.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(journal.entries.length);
    current.close();
  });
});
