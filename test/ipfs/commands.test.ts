import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidForBytes } from '../../shared/cid.js';
import { createIpfsStore, ipfsAddFile, ipfsCat, type IpfsStore } from '../../server/ipfs/index.js';
import { startKuboStub, type KuboStub } from '../helpers/kubo-stub.js';
import { detRandom, sha256Hex, tempDb, type TempDb } from './helpers.js';

/** `swarmtask ipfs add FILE [--cid-version 0|1]` / `swarmtask ipfs cat CID`, on both backends. */

let t: TempDb;
let stub: KuboStub;
const backends: Record<string, () => IpfsStore> = {
  embedded: () => createIpfsStore({ db: t.db }),
  kubo: () => createIpfsStore({ db: t.db, ipfsApiUrl: stub.url }),
};

beforeAll(async () => {
  t = tempDb();
  stub = await startKuboStub();
});
afterAll(async () => {
  await stub.close();
  t.close();
});

describe.each(Object.keys(backends))('ipfs add / cat commands (%s)', (backend) => {
  it.each([
    ['small, default CIDv1', 5_000, undefined],
    ['multi-block, CIDv0', 1_100_000, 0],
    ['multi-block, CIDv1', 1_100_000, 1],
  ] as const)('%s', async (_name, size, cidVersion) => {
    const store = backends[backend]!();
    const bytes = detRandom(size, `${backend}-${size}`);
    const path = join(t.dir, `input-${size}.bin`);
    writeFileSync(path, bytes);
    const cid = await ipfsAddFile(store, path, cidVersion === undefined ? {} : { cidVersion });
    expect(cid).toBe(await cidForBytes(bytes, { cidVersion: cidVersion ?? 1 }));
    expect(sha256Hex(await ipfsCat(store, cid))).toBe(sha256Hex(bytes));
    rmSync(path);
  });

  it('refuses a directory and reports an unknown CID clearly', async () => {
    const store = backends[backend]!();
    await expect(ipfsAddFile(store, t.dir)).rejects.toThrow(/not a regular file/);
    await expect(ipfsCat(store, 'not-a-cid')).rejects.toThrow(/invalid CID/);
  });
});

it('streams files above the in-memory threshold (embedded)', async () => {
  const store = backends.embedded!();
  const bytes = detRandom(17 * 1024 * 1024, 'big-file');
  const path = join(t.dir, 'big.bin');
  writeFileSync(path, bytes);
  try {
    expect(await ipfsAddFile(store, path)).toBe(await cidForBytes(bytes));
  } finally {
    rmSync(path);
  }
});
