import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_AT_WEIGHT, GroupCommit, splitPoint } from '../../server/db/group-commit.js';
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

  it('a turn of heavy changes commits in two halves, the first half answered before the second runs', async () => {
    using core = openTestCore();
    const { writer, insert, values, commits } = withScratchTable(core);
    const log: string[] = [];
    const heavy = DEFAULT_SPLIT_AT_WEIGHT / 2; // four calls of one worker weigh twice the threshold
    const calls = ['a', 'b', 'c', 'd'].map((v) =>
      writer
        .run(
          () => {
            log.push(`run ${v} (commits so far: ${commits()})`);
            return insert(v).changes;
          },
          heavy,
          'worker A',
        )
        .then(() => log.push(`answered ${v}`)),
    );
    await Promise.all(calls);
    expect(log).toEqual([
      'run a (commits so far: 0)',
      'run b (commits so far: 0)',
      'answered a',
      'answered b',
      'run c (commits so far: 1)',
      'run d (commits so far: 1)',
      'answered c',
      'answered d',
    ]);
    expect(values()).toEqual(['a', 'b', 'c', 'd']);
    expect(commits()).toBe(2);
  });

  it('the held half runs as it is, before changes requested meanwhile, which wait for the next commit', async () => {
    using core = openTestCore();
    const { writer, insert, values, commits } = withScratchTable(core);
    const heavy = DEFAULT_SPLIT_AT_WEIGHT / 2;
    let late: Promise<unknown> | undefined;
    const first = ['a', 'b', 'c', 'd'].map((v, i) =>
      writer.run(() => insert(v).changes, heavy, 'worker A').then(() => {
        // Answered in the first half: the worker sends its next call at once.
        if (i === 0) late = writer.run(() => insert('late').changes);
      }),
    );
    await Promise.all(first);
    await late;
    expect(values()).toEqual(['a', 'b', 'c', 'd', 'late']);
    expect(commits()).toBe(3);
  });

  it('a turn of light changes, of heavy ones from many workers, or a single heavy one is not split', async () => {
    using core = openTestCore();
    const { writer, insert, commits } = withScratchTable(core);
    await Promise.all(Array.from({ length: 64 }, (_, i) => writer.run(() => insert(`light ${i}`).changes, 2, 'worker A')));
    expect(commits()).toBe(1);
    const heavyEach = DEFAULT_SPLIT_AT_WEIGHT / 2;
    await Promise.all(Array.from({ length: 8 }, (_, i) => writer.run(() => insert(`worker ${i}`).changes, heavyEach, `worker ${i}`)));
    expect(commits()).toBe(2);
    await writer.run(() => insert('one big batch').changes, DEFAULT_SPLIT_AT_WEIGHT * 4, 'worker A');
    expect(commits()).toBe(3);
  });
});

describe('splitPoint', () => {
  const fromOne = (...w: number[]) => w.map((weight) => ({ weight, source: 'worker A' }));

  it('keeps a batch whole while no one source in it reaches the threshold', () => {
    expect(splitPoint(fromOne(100, 100), 256)).toBe(2);
    expect(splitPoint(fromOne(), 256)).toBe(0);
    expect(splitPoint(fromOne(1000), 256)).toBe(1);
    expect(splitPoint([200, 200, 200].map((weight, i) => ({ weight, source: `worker ${i}` })), 256)).toBe(3);
    expect(splitPoint([{ weight: 200 }, { weight: 200 }], 256)).toBe(2); // no source: each its own
  });

  it('splits where half the weight is reached, leaving each half at least one change', () => {
    expect(splitPoint(fromOne(64, 64, 64, 64), 256)).toBe(2);
    expect(splitPoint(fromOne(64, 64, 64), 128)).toBe(2);
    expect(splitPoint(fromOne(300, 1, 1), 256)).toBe(1);
    expect(splitPoint(fromOne(1, 1, 300), 256)).toBe(2);
    // One heavy worker splits the turn; the others' calls fall in either half by weight.
    expect(splitPoint([{ weight: 10, source: 'b' }, ...fromOne(200, 200), { weight: 10, source: 'c' }], 256)).toBe(2);
  });

  it('never splits when splitting is off', () => {
    expect(splitPoint(fromOne(1000, 1000), 0)).toBe(2);
  });
});
