import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../server/auth/api-keys.js';
import { loadServerConfig } from '../../server/config.js';
import { backupStore, inspectStore, restoreStore, StoreFileError } from '../../server/db/backup-store.js';
import { silentLogger } from '../../server/logger.js';
import { openCore } from '../../server/open-core.js';
import { createTodo, listTodos } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { ListTodosInputSchema } from '../../shared/todo-schemas.js';
import { apiClient } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { startServerProcess } from '../helpers/processes.js';

const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
const openStore = (dataDir: string) => openCore(loadServerConfig({}, { dataDir, taskId: 'test-task' }), silentLogger());

/** Todos of a store file, and whether every one of them has its `todo.created` event: one snapshot or not. */
function snapshotOf(file: string): { ids: number[]; createdEvents: number } {
  const sqlite = new Database(file, { readonly: true });
  try {
    return {
      ids: (sqlite.prepare('SELECT id FROM todos ORDER BY id').all() as { id: number }[]).map((row) => row.id),
      createdEvents: (sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'todo.created'").get() as { n: number }).n,
    };
  } finally {
    sqlite.close();
  }
}

describe('backup and restore of the store', () => {
  it('backs up a consistent snapshot while a coordinator in another process keeps writing', async () => {
    using dir = tempDir();
    const dataDir = join(dir.path, 'data');
    const setup = openStore(dataDir);
    const { key } = createApiKey(setup, 'backup-test');
    setup.close();
    const server = await startServerProcess(['--port', '0', '--data', dataDir, '--task-id', 'test-task'], {
      SWARMTASK_RATE_LIMIT_IP_PER_SECOND: '0',
      SWARMTASK_RATE_LIMIT_API_KEY_PER_SECOND: '0',
    });
    const api = apiClient(server.url, key);
    let writing = true;
    let created = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        await api.todos.create.mutate({ spec });
        created++;
      }
    });
    try {
      const backups: ReturnType<typeof snapshotOf>[] = [];
      for (let i = 0; i < 3; i++) {
        const before = created;
        await vi.waitFor(() => expect(created).toBeGreaterThanOrEqual(before + 20), { timeout: 20_000, interval: 10 });
        const result = backupStore(dataDir, join(dir.path, `backup-${i}.db`));
        expect(result).toMatchObject({ source: join(dataDir, 'swarmtask.db'), file: join(dir.path, `backup-${i}.db`) });
        const snapshot = snapshotOf(result.file);
        // One moment of the store: todos 1..n with no gap, each with its event (same transaction).
        expect(snapshot.ids).toEqual(Array.from({ length: snapshot.ids.length }, (_, k) => k + 1));
        expect(snapshot.createdEvents).toBe(snapshot.ids.length);
        expect(result.todos).toBe(snapshot.ids.length);
        backups.push(snapshot);
      }
      // The coordinator went on writing between the backups (each later one holds more).
      expect(backups[1]!.ids.length).toBeGreaterThan(backups[0]!.ids.length);
      expect(backups[2]!.ids.length).toBeGreaterThan(backups[1]!.ids.length);
    } finally {
      writing = false;
      await Promise.allSettled(writers);
      await server.kill('SIGTERM');
    }
  });

  it('restores into an empty data dir, and a coordinator starts on it with every todo', () => {
    using dir = tempDir();
    const source = join(dir.path, 'source');
    const core = openStore(source);
    for (let i = 0; i < 5; i++) createTodo(core, { spec, priority: i });
    core.close();
    const backup = backupStore(source, join(dir.path, 'backup.db'));
    expect(backup.todos).toBe(5);

    const target = join(dir.path, 'restored');
    const restored = restoreStore(backup.file, target);
    expect(restored).toMatchObject({ file: join(target, 'swarmtask.db'), todos: 5, keptPrevious: null });
    const reopened = openStore(target);
    try {
      expect(listTodos(reopened, ListTodosInputSchema.parse({})).todos.map((t) => t.priority)).toEqual([4, 3, 2, 1, 0]);
    } finally {
      reopened.close();
    }
  });

  it('refuses what would lose or mix data: a coordinator running there, an existing store without replace, a file that is not a store, an existing backup file', async () => {
    using dir = tempDir();
    await using t = await startTestCoordinator();
    createTodo(t.coordinator.core, { spec, priority: 0 });
    const backup = backupStore(t.dataDir, join(dir.path, 'backup.db'));
    expect(() => backupStore(t.dataDir, backup.file)).toThrow(new StoreFileError(`${backup.file} already exists: give a new file name (a backup never overwrites)`));
    expect(() => restoreStore(backup.file, t.dataDir, { replace: true })).toThrow(
      new RegExp(`^a coordinator is running on the data dir ${t.dataDir} \\(pid ${process.pid}, ${t.url}\\): stop it before restoring into it$`),
    );
    const other = join(dir.path, 'other');
    openStore(other).close();
    expect(() => restoreStore(backup.file, other)).toThrow(/swarmtask\.db already exists: pass --replace to restore over it/);
    const notSqlite = join(dir.path, 'notes.db');
    writeFileSync(notSqlite, 'not a database at all, but long enough to be read as one '.repeat(100));
    expect(() => restoreStore(notSqlite, other)).toThrow(new RegExp(`^${notSqlite} cannot be read as SQLite`));
    const otherSqlite = join(dir.path, 'other.sqlite');
    new Database(otherSqlite).exec('CREATE TABLE todos (id INTEGER)').close();
    expect(() => inspectStore(otherSqlite)).toThrow(`${otherSqlite} is not a swarmtask store (no __drizzle_migrations, rounds, events, workers, blocks table)`);
    expect(() => restoreStore(join(dir.path, 'missing.db'), other)).toThrow(`${join(dir.path, 'missing.db')} does not exist`);
    // Restoring a store over itself would move it aside and then find nothing to copy.
    expect(() => restoreStore(join(other, 'swarmtask.db'), other, { replace: true })).toThrow(`${join(other, 'swarmtask.db')} is the data dir's own store: restore from a backup file`);
    // Nothing was changed by the refusals: the other dir holds its own empty store only, and the running one all its todos.
    expect(readdirSync(other).filter((name) => name.startsWith('swarmtask.db'))).toEqual(['swarmtask.db']);
    expect(inspectStore(join(other, 'swarmtask.db')).todos).toBe(0);
    expect(listTodos(t.coordinator.core, ListTodosInputSchema.parse({})).todos).toHaveLength(1);
  });

  it('restoring over a store keeps it, with what was only in its WAL when its coordinator was killed', () => {
    using dir = tempDir();
    const dataDir = join(dir.path, 'data');
    openStore(dataDir).close();
    const backup = backupStore(dataDir, join(dir.path, 'empty-backup.db'));
    // A process commits a row and is killed before any checkpoint: the row lives only in the WAL.
    const store = join(dataDir, 'swarmtask.db');
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(store)});
      db.pragma('wal_autocheckpoint = 0');
      db.prepare("INSERT INTO workers (staking_key, stake, registered_at) VALUES ('only-in-the-wal', 0, 1)").run();
      process.kill(process.pid, 'SIGKILL');`;
    expect(() => execFileSync(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: 'pipe' })).toThrow();
    expect(existsSync(`${store}-wal`)).toBe(true);

    const restored = restoreStore(backup.file, dataDir, { replace: true, now: new Date('2026-12-01T10:00:00Z') });
    expect(restored.keptPrevious).toBe(`${store}.before-restore-2026-12-01T10-00-00-000Z`);
    expect(restored.workers).toBe(0);
    // The kept store is whole on its own: its WAL was folded in before it was moved aside.
    expect(existsSync(`${restored.keptPrevious}-wal`)).toBe(false);
    expect(inspectStore(restored.keptPrevious!).workers).toBe(1);
    expect(inspectStore(store).workers).toBe(0);
  });
});
