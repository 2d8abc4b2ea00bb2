import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidForBytes } from '../../shared/cid.js';
import { decodeCar, encodeCar, type CarBlock } from '../../shared/ipfs/car.js';
import { BlockNotFoundError, BlockVerificationError, CarFormatError, GatewayHttpError } from '../../shared/ipfs/errors.js';
import { fetchVerified, fetchVerifiedBlock } from '../../shared/ipfs/fetch-verified.js';
import { createIpfsStore, handleIpfsGatewayRequest, type IpfsStore } from '../../server/ipfs/index.js';
import { collect, detRandom, listen, sha256Hex, tempDb, type RunningServer, type TempDb } from './helpers.js';

/**
 * The verifying reader against our gateway (honest) and against a hostile gateway that serves
 * the same content altered: flipped bytes, cut-off streams, missing blocks, wrong content type.
 */

type Attack = 'none' | 'flip-car' | 'flip-raw' | 'truncate-mid-section' | 'truncate-at-boundary' | 'drop-block' | 'reset' | 'html';

let t: TempDb;
let store: IpfsStore;
let honest: RunningServer;
let evil: RunningServer;
let attack: Attack = 'none';

async function blocksOfCar(cid: string): Promise<CarBlock[]> {
  const car = await decodeCar((async function* () { yield* store.exportCar(cid); })());
  const out: CarBlock[] = [];
  for await (const b of car.blocks) out.push(b);
  return out;
}

/** Serves the content of `store` but misbehaves according to `attack`. */
async function evilHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const cid = url.pathname.split('/')[2]!;
  const wantsCar = url.searchParams.get('format') === 'car';
  if (attack === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
    return;
  }
  if (!wantsCar) {
    const block = (await store.getBlock(cid)).slice();
    if (attack === 'flip-raw') block[block.byteLength >> 1]! ^= 0x01;
    res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' }).end(block);
    return;
  }
  const blocks = await blocksOfCar(cid);
  if (attack === 'flip-car') blocks[2]!.bytes[7]! ^= 0x80;
  if (attack === 'drop-block') blocks.splice(2, 1);
  const car = await collect(encodeCar([blocks[0]!.cid], blocks));
  res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1; order=dfs; dups=n' });
  if (attack === 'truncate-mid-section') {
    res.end(car.subarray(0, car.byteLength - 1000));
  } else if (attack === 'truncate-at-boundary') {
    const withoutLast = await collect(encodeCar([blocks[0]!.cid], blocks.slice(0, -1)));
    res.end(withoutLast);
  } else if (attack === 'reset') {
    res.write(car.subarray(0, car.byteLength >> 1));
    setTimeout(() => res.destroy(), 20);
  } else {
    res.end(car);
  }
}

let bytes: Uint8Array;
let cidV1: string;
let cidV0: string;

beforeAll(async () => {
  t = tempDb();
  store = createIpfsStore({ db: t.db });
  honest = await listen(async (req, res) => {
    if (!(await handleIpfsGatewayRequest(req, res, store))) res.writeHead(404).end();
  });
  evil = await listen(evilHandler);
  bytes = detRandom(1_200_000, 'fetch-verified'); // root + 5 leaves
  cidV1 = await store.add(bytes);
  cidV0 = await store.add(bytes, { cidVersion: 0 });
});
afterAll(async () => {
  await honest.close();
  await evil.close();
  t.close();
});

describe('fetchVerified against an honest gateway', () => {
  it.each([
    ['CAR', 'car'],
    ['raw blocks', 'blocks'],
  ] as const)('reassembles CIDv0 and CIDv1 files over %s', async (_name, mode) => {
    for (const cid of [cidV1, cidV0]) {
      const got = await fetchVerified(honest.url, cid, { mode });
      expect(sha256Hex(got)).toBe(sha256Hex(bytes));
    }
  });

  it('accepts a base URL with or without a trailing slash, and small single-block files', async () => {
    const small = new TextEncoder().encode('{"ok":true}');
    const cid = await store.add(small);
    expect(await fetchVerified(`${honest.url}/`, cid)).toEqual(small);
    expect(await fetchVerifiedBlock(honest.url, cid)).toEqual(small);
    expect(await fetchVerified(honest.url, 'bafkqaaa')).toEqual(new Uint8Array(0));
  });

  it('maps 404 to BlockNotFoundError', async () => {
    const absent = await cidForBytes(new TextEncoder().encode('absent'));
    await expect(fetchVerified(honest.url, absent)).rejects.toThrow(BlockNotFoundError);
    await expect(fetchVerified(honest.url, absent, { mode: 'blocks' })).rejects.toThrow(BlockNotFoundError);
  });

  it('enforces the size limit', async () => {
    await expect(fetchVerified(honest.url, cidV1, { maxBytes: 500_000 })).rejects.toThrow(/exceeds the 500000-byte limit/);
  });
});

describe('fetchVerified against a hostile gateway', () => {
  const cases: Array<[Attack, 'car' | 'blocks', new (...args: never[]) => Error, RegExp]> = [
    ['flip-car', 'car', BlockVerificationError, /hash mismatch/],
    ['flip-raw', 'blocks', BlockVerificationError, /hash mismatch/],
    ['truncate-mid-section', 'car', CarFormatError, /truncated/],
    ['truncate-at-boundary', 'car', CarFormatError, /incomplete CAR/],
    ['drop-block', 'car', CarFormatError, /incomplete CAR/],
    ['reset', 'car', CarFormatError, /./],
    ['html', 'car', GatewayHttpError, /content-type/],
    ['html', 'blocks', GatewayHttpError, /content-type/],
  ];
  it.each(cases)('%s (%s mode) is rejected', async (kind, mode, type, message) => {
    attack = kind;
    try {
      const attempt = fetchVerified(evil.url, cidV1, { mode, timeoutMs: 10_000 });
      await expect(attempt).rejects.toThrow(type);
      await expect(fetchVerified(evil.url, cidV1, { mode, timeoutMs: 10_000 })).rejects.toThrow(message);
    } finally {
      attack = 'none';
    }
  });

  it('the same hostile server is accepted when it behaves (control)', async () => {
    attack = 'none';
    expect(sha256Hex(await fetchVerified(evil.url, cidV1))).toBe(sha256Hex(bytes));
  });
});
