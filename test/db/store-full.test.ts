import Database from 'better-sqlite3';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { GroupCommit } from '../../server/db/group-commit.js';
import { sweepQueue } from '../../server/queue/index.js';
import { logJobFailure, logStoreFailure } from '../../server/db/store-failure.js';
import { DomainError } from '../../shared/errors.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { apiClient, errorData, expectTrpcError, openTestCore, rawTrpc, todoInput } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { KoiiWorker } from '../legacy/legacy-client.js';

/**
 * A full disk, simulated the way SQLite allows without one: `max_page_count` at the store's
 * current size makes any write that needs a new page fail with SQLITE_FULL, as a full disk does.
 */
function fillStore(sqlite: Database.Database): () => void {
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  sqlite.pragma(`max_page_count = ${pages}`);
  return () => sqlite.pragma('max_page_count = 1073741823');
}

/** A write that needs many new pages. */
const bigText = (kib: number) => 'x'.repeat(kib * 1024);

const todoCount = (sqlite: Database.Database) => (sqlite.prepare('SELECT count(*) AS n FROM todos').get() as { n: number }).n;

describe('a store that cannot take writes (full disk, lock held elsewhere)', () => {
  it('fails the change that needs space alone; the changes around it commit, none outside a transaction', async () => {
    using core = openTestCore();
    core.sqlite.exec('CREATE TABLE scratch (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
    core.sqlite.prepare('INSERT INTO scratch (value) VALUES (?)').run('seed');
    let commits = 0;
    const writer = new GroupCommit(core.sqlite, () => {
      commits += 1;
    });
    const insert = (value: string) => core.sqlite.prepare('INSERT INTO scratch (value) VALUES (?)').run(value).changes;
    fillStore(core.sqlite);
    // SQLite answers SQLITE_FULL by rolling back the whole transaction, not the savepoint: the
    // change before the failing one is gone with it and must run again; the ones after it would
    // otherwise run in autocommit, outside the group's transaction.
    const results = await Promise.allSettled([
      writer.run(() => insert('before')),
      writer.run(() => {
        insert('first half of a pair');
        return insert(bigText(64));
      }),
      writer.run(() => {
        insert('after, one');
        return insert('after, two');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    const values = (core.sqlite.prepare('SELECT value FROM scratch ORDER BY id').all() as { value: string }[]).map((r) => r.value);
    expect(values).toEqual(['seed', 'before', 'after, one', 'after, two']);
    expect(commits).toBe(1);
    expect(core.sqlite.inTransaction).toBe(false);
  });

  it('answers 503 STORE_FULL with Retry-After on every face, writes nothing, and works again once there is space', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const { sqlite } = t.coordinator.core;
    const worker = t.workerClient(t.stakedWorker());
    const koiiNode = new KoiiWorker(t.url, t.stakedWorker());
    const hugeTodo = todoInput({ spec: { ...EXAMPLE_SWARM_SPEC, task: bigText(256) } });
    const before = todoCount(sqlite);
    const blocksBefore = (sqlite.prepare('SELECT count(*) AS n FROM blocks').get() as { n: number }).n;
    const makeRoom = fillStore(sqlite);

    // tRPC over HTTP, with an API key.
    const http = await rawTrpc(t.url, 'todos.create', { apiKey: t.apiKey, input: hugeTodo });
    expect(http.status).toBe(503);
    expect(http.headers.get('retry-after')).toBe('30');
    expect(errorData(http)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'STORE_FULL', httpStatus: 503 });
    await expectTrpcError(apiClient(t.url, t.apiKey).todos.create.mutate(hugeTodo), {
      code: 'SERVICE_UNAVAILABLE',
      reason: 'STORE_FULL',
      message: /store is full.*nothing was written/,
    });

    // tRPC over WebSocket, signed by a worker: the hint travels for the worker's back-off.
    const content = Buffer.from(bigText(300)).toString('base64');
    const refused = await worker.call('ipfs.add', { contentBase64: content, cidVersion: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'STORE_FULL', retryAfterMs: 30_000 });

    // The Swarms-API REST face: {"detail": …} as it answers every error.
    const rest = await fetch(`${t.url}/v1/swarm/schedule`, {
      method: 'POST',
      headers: { 'x-api-key': t.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...EXAMPLE_SWARM_SPEC, task: bigText(256), schedule: { scheduled_time: new Date(Date.now() + 3_600_000).toISOString() } }),
    });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toBe('30');
    expect(((await rest.json()) as { detail: string }).detail).toMatch(/store is full/);

    // The legacy Koii face: upstream's failure body, with the status and hint the others give.
    const legacy = await koiiNode.addFailedInfo('b-1', bigText(15));
    expect(legacy.status).toBe(503);
    expect(legacy.headers.get('retry-after')).toBe('30');
    expect(legacy.json).toMatchObject({ success: false, message: expect.stringMatching(/store is full/) });

    expect(todoCount(sqlite)).toBe(before);
    expect((sqlite.prepare('SELECT count(*) AS n FROM todo_errors').get() as { n: number }).n).toBe(0);
    expect((sqlite.prepare('SELECT count(*) AS n FROM blocks').get() as { n: number }).n).toBe(blocksBefore);

    makeRoom();
    const created = await apiClient(t.url, t.apiKey).todos.create.mutate(hugeTodo);
    expect(created.created).toBe(true);
    expect(todoCount(sqlite)).toBe(before + 1);
    expect((await worker.call('ipfs.add', { contentBase64: content, cidVersion: 1 })).cid).toMatch(/^b/);
    expect((await koiiNode.addFailedInfo('b-1', bigText(15))).status).toBe(200);
  });

  it('is logged once per reason every 10 s, with a count of the failures not logged', () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const full = new DomainError('STORE_FULL', 'store is full');
    const busy = new DomainError('STORE_BUSY', 'store is locked');
    const start = 1_000_000;
    for (const at of [start, start + 1, start + 9_999]) logStoreFailure(log, full, at);
    logStoreFailure(log, busy, start + 2);
    logStoreFailure(log, full, start + 10_000);
    expect(lines.map((l) => [l.level, l.reason, l.msg, l.sameFailuresNotLogged])).toEqual([
      [50, 'STORE_FULL', 'store is full', undefined],
      [50, 'STORE_BUSY', 'store is locked', undefined],
      [50, 'STORE_FULL', 'store is full', 2],
    ]);
  });

  it('in a background job (sweep, round tick) goes through the same limit; other failures keep their stack', () => {
    using core = openTestCore();
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    core.sqlite.exec('CREATE TABLE scratch (value TEXT)');
    fillStore(core.sqlite);
    const sqliteFull = (() => {
      try {
        core.sqlite.prepare('INSERT INTO scratch VALUES (?)').run(bigText(64));
      } catch (error) {
        return error;
      }
      throw new Error('the insert should not fit');
    })();
    for (let tick = 0; tick < 5; tick++) logJobFailure(log, sqliteFull, 'sweep');
    logJobFailure(log, new Error('a bug'), 'round tick');
    expect(lines.map((l) => [l.level, l.reason ?? null, l.job, l.code ?? null, l.msg])).toEqual([
      [50, 'STORE_FULL', 'sweep', 'SQLITE_FULL', expect.stringMatching(/^sweep failed: .*store is full/)],
      [50, null, 'round tick', null, 'round tick failed'],
    ]);
    expect(lines[1]!.err).toMatchObject({ message: 'a bug', stack: expect.stringContaining('Error: a bug') });
  });

  it('a background job that meets a lock held by another process is a warning naming the job; its next tick does the work', () => {
    using core = openTestCore();
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const other = new Database(core.sqlite.name);
    other.exec('BEGIN IMMEDIATE');
    core.sqlite.pragma('busy_timeout = 0');
    const busy = (() => {
      try {
        sweepQueue(core);
      } catch (error) {
        return error;
      }
      throw new Error('the sweep should not get the write lock');
    })();
    logJobFailure(log, busy, 'sweep');
    logJobFailure(log, busy, 'sweep'); // the next tick, within 10 s: counted, not logged
    // A refused call in the same 10 s still gets its error line: the job's warning has its own limit.
    logStoreFailure(log, new DomainError('STORE_BUSY', 'store is locked'));
    expect(lines.map((l) => [l.level, l.reason, l.job ?? null, l.code ?? null])).toEqual([
      [40, 'STORE_BUSY', 'sweep', 'SQLITE_BUSY'],
      [50, 'STORE_BUSY', null, null],
    ]);
    expect(lines[0]!.msg).toMatch(/^sweep failed: .*locked by another process/);
    other.exec('ROLLBACK');
    other.close();
    expect(sweepQueue(core)).toMatchObject({ expiredLeases: 0 });
  });

  it('locked by another process past the busy timeout: 503 STORE_BUSY with a short Retry-After, then works once the lock is gone', async () => {
    await using t = await startTestCoordinator();
    const { sqlite } = t.coordinator.core;
    const worker = t.workerClient(t.stakedWorker());
    await apiClient(t.url, t.apiKey).todos.create.mutate(todoInput());
    const [claimed] = await worker.todos.claim({ max: 1 });
    // Another process (a long command on the data dir) holds the write lock; 50 ms instead of
    // the 5 s default keeps the test short.
    const other = new Database(sqlite.name);
    other.exec('BEGIN IMMEDIATE');
    sqlite.pragma('busy_timeout = 50');
    try {
      const refused = await worker.todos.reportResults({ results: [{ todoId: claimed!.todoId, leaseToken: claimed!.leaseToken, result: { ok: 1 } }] }).catch((error: unknown) => error);
      expect((refused as TRPCClientError<never>).data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'STORE_BUSY', retryAfterMs: 1_000 });
      const http = await rawTrpc(t.url, 'todos.create', { apiKey: t.apiKey, input: todoInput() });
      expect([http.status, http.headers.get('retry-after'), errorData(http).reason]).toEqual([503, '1', 'STORE_BUSY']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(todoCount(sqlite)).toBe(1);
    const [reported] = await worker.todos.reportResults({ results: [{ todoId: claimed!.todoId, leaseToken: claimed!.leaseToken, result: { ok: 1 } }] });
    expect(reported).toEqual({ todoId: claimed!.todoId, ok: true });
  });
});
