import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_FOLDER, openDb } from '../../server/db/open.js';
import { tempDir } from '../helpers/coordinator.js';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

describe('migrations', () => {
  const journal = JSON.parse(readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as Journal;

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
    first.close();
    const again = openDb({ file, synchronous: 'FULL' });
    expect((again.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(journal.entries.length);
    expect(again.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    again.close();
  });
});
