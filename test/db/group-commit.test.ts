import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/db/group-commit.js';
import { immediate } from '../../server/db/transaction.js';
import { openTestCore } from '../helpers/core.js';

type TestCore = ReturnType<typeof openTestCore>;

function withScratchTable(core: TestCore) {
  core.sqlite.exec('CREATE TABLE scratch (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
  let commits = 0;
  const writer = new GroupCommit(core.sqlite, () => {
    commits += 1;
  });
  const insert = (value: string) => core.sqlite.prepare('INSERT INTO scratch (value) VALUES (?)').run(value);
  const values = () => (core.sqlite.prepare('SELECT value FROM scratch ORDER BY id').all() as { value: string }[]).map((r) => r.value);
  return { writer, insert, values, commits: () => commits };
}

describe('group commit', () => {
  it('changes requested in one turn share one commit and each caller gets its own answer', async () => {
    using core = openTestCore();
    const { writer, insert, values, commits } = withScratchTable(core);
    const answers = await Promise.all(['a', 'b', 'c'].map((v) => writer.run(() => Number(insert(v).lastInsertRowid))));
    expect(answers).toEqual([1, 2, 3]);
    expect(values()).toEqual(['a', 'b', 'c']);
    expect(commits()).toBe(1);
  });

  it('a change that throws after writing rolls back alone; the ones before and after it commit', async () => {
    using core = openTestCore();
    const { writer, insert, values, commits } = withScratchTable(core);
    const results = await Promise.allSettled([
      writer.run(() => insert('before').changes),
      writer.run(() => {
        insert('doomed');
        throw new Error('no such lease');
      }),
      writer.run(() => insert('after').changes),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'no such lease' });
    expect(values()).toEqual(['before', 'after']);
    expect(commits()).toBe(1);
  });

  it('work written through a nested immediate() rolls back with the change that threw', async () => {
    using core = openTestCore();
    const { writer, insert, values } = withScratchTable(core);
    const results = await Promise.allSettled([
      writer.run(() => {
        immediate(core.db, () => insert('inner write'));
        immediate(core.db, () => {
          throw new Error('inner failure');
        });
      }),
      writer.run(() => immediate(core.db, () => insert('kept').changes)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(values()).toEqual(['kept']);
  });

  it('a change run again because another failed answers with what its committed run returned', async () => {
    using core = openTestCore();
    const { writer, insert, values } = withScratchTable(core);
    let runs = 0;
    const [survivor] = await Promise.allSettled([
      writer.run(() => {
        runs += 1;
        const token = `token-${Math.random()}`;
        insert(token);
        return token;
      }),
      writer.run(() => {
        throw new Error('fails every time');
      }),
    ]);
    expect(runs).toBe(2);
    expect(survivor).toMatchObject({ status: 'fulfilled' });
    expect(values()).toEqual([(survivor as PromiseFulfilledResult<string>).value]);
  });

  it('a change alone in its turn that fails is not run twice', async () => {
    using core = openTestCore();
    const { writer, insert, values } = withScratchTable(core);
    let runs = 0;
    await expect(
      writer.run(() => {
        runs += 1;
        insert('half-done');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(runs).toBe(1);
    expect(values()).toEqual([]);
  });

  it('immediate() outside a transaction commits on its own and rolls back whole on a throw', () => {
    using core = openTestCore();
    const { insert, values } = withScratchTable(core);
    immediate(core.db, () => insert('committed'));
    expect(() =>
      immediate(core.db, () => {
        insert('rolled back');
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(values()).toEqual(['committed']);
    expect(core.sqlite.inTransaction).toBe(false);
  });
});
