import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cidForBytes, parseCid, verifyBlock } from '../../shared/cid.js';
import { decodeCar } from '../../shared/ipfs/car.js';
import { BlockNotFoundError, BlockVerificationError } from '../../shared/ipfs/errors.js';
import { createIpfsStore, SqliteIpfsStore } from '../../server/ipfs/index.js';
import { blockKey } from '../../server/ipfs/sqlite-store.js';
import { collect, detRandom, sha256Hex, tempDb, type TempDb } from './helpers.js';

let t: TempDb;
let store: SqliteIpfsStore;
beforeEach(() => {
  t = tempDb();
  const created = createIpfsStore({ db: t.db });
  expect(created).toBeInstanceOf(SqliteIpfsStore);
  store = created as SqliteIpfsStore;
});
afterEach(() => t.close());

const rowCount = () => (t.db.prepare('SELECT count(*) AS n FROM blocks').get() as { n: number }).n;

const SIZES: Array<[string, number, number, number]> = [
  // name, bytes, blocks stored for v0, for v1
  ['small (one block)', 1234, 1, 1],
  ['> 256 KiB (root + 2 leaves)', 300 * 1024, 3, 3],
  ['> 1 MiB (root + 6 leaves)', 1_500_000, 7, 7],
];

describe('embedded SQLite store', () => {
  describe.each([0, 1] as const)('CIDv%i', (cidVersion) => {
    it.each(SIZES)('round-trips %s', async (_name, size, blocksV0, blocksV1) => {
      const bytes = detRandom(size, `store-${size}`);
      const cid = await store.add(bytes, { cidVersion });
      // The same CID `ipfs add` computes (cidForBytes is checked against Kubo and ipfs_cid).
      expect(cid).toBe(await cidForBytes(bytes, { cidVersion }));
      expect(cid.startsWith(cidVersion === 0 ? 'Qm' : 'baf')).toBe(true);
      expect(rowCount()).toBe(cidVersion === 0 ? blocksV0 : blocksV1);

      const back = await store.cat(cid);
      expect(back.byteLength).toBe(size);
      expect(sha256Hex(back)).toBe(sha256Hex(bytes));
      expect(await store.hasBlock(cid)).toBe(true);
      await verifyBlock(parseCid(cid), await store.getBlock(cid));

      // Adding again stores nothing new.
      expect(await store.add(bytes, { cidVersion })).toBe(cid);
      expect(rowCount()).toBe(cidVersion === 0 ? blocksV0 : blocksV1);
    });
  });

  it('defaults to CIDv1 with raw leaves', async () => {
    expect(await store.add(new TextEncoder().encode('hello world'))).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e');
  });

  it('accepts a byte stream and records size and time for each row', async () => {
    const bytes = detRandom(600_000, 'stream');
    async function* pieces() {
      for (let i = 0; i < bytes.byteLength; i += 65_536) yield bytes.subarray(i, i + 65_536);
    }
    const before = Date.now();
    const cid = await store.add(pieces());
    expect(cid).toBe(await cidForBytes(bytes));
    const rows = t.db.prepare('SELECT cid, size, length(data) AS len, created_at FROM blocks').all() as Array<{ cid: string; size: number; len: number; created_at: number }>;
    for (const row of rows) {
      expect(row.size).toBe(row.len);
      expect(row.created_at).toBeGreaterThanOrEqual(before);
      expect(parseCid(row.cid).version).toBe(1); // rows are keyed by the CIDv1 form
    }
  });

  it('finds a dag-pb block by its CIDv0 and CIDv1 spellings', async () => {
    const cid = await store.add(detRandom(1000, 'v0v1'), { cidVersion: 0 });
    const v1 = parseCid(cid).toV1().toString();
    expect(await store.hasBlock(v1)).toBe(true);
    expect(await store.getBlock(v1)).toEqual(await store.getBlock(cid));
    expect(sha256Hex(await store.cat(v1))).toBe(sha256Hex(await store.cat(cid)));
  });

  it('serves identity CIDs without storing them and reports missing blocks', async () => {
    expect(await store.hasBlock('bafkqaaa')).toBe(true);
    expect(await store.cat('bafkqaaa')).toEqual(new Uint8Array(0));
    const absent = await cidForBytes(new TextEncoder().encode('never added'));
    expect(await store.hasBlock(absent)).toBe(false);
    await expect(store.getBlock(absent)).rejects.toThrow(BlockNotFoundError);
    await expect(store.cat(absent)).rejects.toThrow(BlockNotFoundError);
  });

  it('rejects a tampered block on every read path', async () => {
    const bytes = detRandom(700_000, 'tamper');
    const cid = await store.add(bytes);
    const leaf = t.db.prepare('SELECT cid, data FROM blocks WHERE cid != ? LIMIT 1').get(blockKey(parseCid(cid))) as { cid: string; data: Buffer };
    const altered = Buffer.from(leaf.data);
    altered[100] = altered[100]! ^ 0xff;
    t.db.prepare('UPDATE blocks SET data = ? WHERE cid = ?').run(altered, leaf.cid);

    await expect(store.getBlock(leaf.cid)).rejects.toThrow(BlockVerificationError);
    await expect(store.cat(cid)).rejects.toThrow(/failed verification: hash mismatch/);
    await expect(collect(store.exportCar(cid))).rejects.toThrow(BlockVerificationError);
  });

  it('rejects a DAG with a missing leaf instead of returning short content', async () => {
    const cid = await store.add(detRandom(700_000, 'missing'));
    t.db.prepare('DELETE FROM blocks WHERE cid IN (SELECT cid FROM blocks WHERE cid != ? LIMIT 1)').run(blockKey(parseCid(cid)));
    await expect(store.cat(cid)).rejects.toThrow(BlockNotFoundError);
  });

  it('exports a CARv1 holding exactly the DAG, root first, each block once', async () => {
    const bytes = new Uint8Array(1_048_576); // 4 identical zero leaves: dups must be dropped
    const cid = await store.add(bytes, { cidVersion: 0 });
    const car = await decodeCar((async function* () { yield* store.exportCar(cid); })());
    expect(car.roots.map(String)).toEqual([cid]);
    const got: string[] = [];
    for await (const block of car.blocks) {
      await verifyBlock(block.cid, block.bytes);
      got.push(block.cid.toString());
    }
    expect(got[0]).toBe(cid);
    expect(got).toHaveLength(2); // root + one distinct leaf
    expect(new Set(got).size).toBe(got.length);

    const withDups: string[] = [];
    const carDups = await decodeCar((async function* () { yield* store.exportCar(cid, { dups: true }); })());
    for await (const block of carDups.blocks) withDups.push(block.cid.toString());
    expect(withDups).toHaveLength(5); // root + the leaf at each of its 4 positions

    const scopeBlock: string[] = [];
    const carBlock = await decodeCar((async function* () { yield* store.exportCar(cid, { scope: 'block' }); })());
    for await (const block of carBlock.blocks) scopeBlock.push(block.cid.toString());
    expect(scopeBlock).toEqual([cid]);
  });

  it('fails exportCar before producing output when the root is missing', async () => {
    const absent = await cidForBytes(new TextEncoder().encode('absent'));
    const it = store.exportCar(absent)[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(BlockNotFoundError);
  });
});
