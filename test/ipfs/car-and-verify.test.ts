import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { cidForBytes, formatCid, parseCid, verifyBlock } from '../../shared/cid.js';
import { decodeCar, encodeCar, encodeCarBlock, encodeCarHeader, type CarBlock } from '../../shared/ipfs/car.js';
import { BlockVerificationError, CarFormatError, InvalidCidError } from '../../shared/ipfs/errors.js';
import { importFile } from '../../shared/ipfs/unixfs-import.js';
import { collect, detRandom, sha256Hex } from './helpers.js';

const hello = new TextEncoder().encode('hello world');
const HELLO_V1 = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';

async function blocksOf(bytes: Uint8Array, cidVersion: 0 | 1): Promise<{ root: CID; blocks: CarBlock[] }> {
  const blocks: CarBlock[] = [];
  const root = await importFile(bytes, cidVersion, {
    put: (cid, b) => {
      blocks.push({ cid, bytes: b as Uint8Array });
      return cid;
    },
  });
  return { root, blocks };
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

describe('parseCid / formatCid', () => {
  it('parses v0 and v1, formats them as Kubo prints them', () => {
    expect(formatCid('Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD')).toBe('Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD');
    const v1 = parseCid(HELLO_V1);
    expect(v1.version).toBe(1);
    // base58btc and base36 spellings of the same CIDv1 normalise to base32.
    expect(formatCid(v1.toString(base58btc))).toBe(HELLO_V1);
    expect(formatCid(v1.toString(base36))).toBe(HELLO_V1);
  });

  it.each(['', 'hello', 'Qm123', `${HELLO_V1}x`, 'bafy', 'x'.repeat(600)])('rejects %j with InvalidCidError', (input) => {
    expect(() => parseCid(input)).toThrow(InvalidCidError);
  });
});

describe('verifyBlock', () => {
  it('accepts the right bytes and rejects any single-bit change', async () => {
    const cid = parseCid(HELLO_V1);
    await verifyBlock(cid, hello);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: hello.byteLength * 8 - 1 }), async (bit) => {
        const tampered = hello.slice();
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        await expect(verifyBlock(cid, tampered)).rejects.toThrow(BlockVerificationError);
      }),
    );
    await expect(verifyBlock(cid, hello.subarray(0, 10))).rejects.toThrow(/hash mismatch/);
  });

  it('checks identity CIDs and refuses unknown hash functions and oversized blocks', async () => {
    const probe = parseCid('bafkqaaa'); // identity, empty
    await verifyBlock(probe, new Uint8Array(0));
    await expect(verifyBlock(probe, new Uint8Array([1]))).rejects.toThrow(BlockVerificationError);
    const blake3 = CID.create(1, 0x55, { code: 0x1e, size: 32, digest: new Uint8Array(32), bytes: Uint8Array.from([0x1e, 32, ...new Uint8Array(32)]) });
    await expect(verifyBlock(blake3, hello)).rejects.toThrow(/unsupported multihash 0x1e/);
    await expect(verifyBlock(parseCid(HELLO_V1), hello, { maxBytes: 5 })).rejects.toThrow(/limit 5/);
  });
});

describe('CARv1', () => {
  it('writes the header byte-for-byte as the CARv1 spec defines it', () => {
    const root = parseCid(HELLO_V1);
    // varint(len) ‖ dag-cbor {"roots": [tag 42 (0x00 ‖ cid)], "version": 1}; dag-cbor orders keys
    // by length, so "roots" precedes "version".
    const cbor = [
      0xa2,
      0x65, ...new TextEncoder().encode('roots'),
      0x81, 0xd8, 0x2a, 0x58, root.bytes.byteLength + 1, 0x00, ...root.bytes,
      0x67, ...new TextEncoder().encode('version'),
      0x01,
    ];
    expect([...encodeCarHeader([root])]).toEqual([cbor.length, ...cbor]);
  });

  it('round-trips a multi-block DAG regardless of how the stream is chunked', async () => {
    const { root, blocks } = await blocksOf(detRandom(700_000, 'car'), 0);
    const car = await collect(encodeCar([root], blocks));
    for (const size of [13, 4096, 1 << 20]) {
      const decoded = await decodeCar(chunked(car, size));
      expect(decoded.roots.map(String)).toEqual([root.toString()]);
      const got: CarBlock[] = [];
      for await (const b of decoded.blocks) got.push(b);
      expect(got.map((b) => b.cid.toString())).toEqual(blocks.map((b) => b.cid.toString()));
      // (hashes, not toEqual: element-wise comparison of 256 KiB arrays is very slow)
      expect(got.map((b) => sha256Hex(b.bytes))).toEqual(blocks.map((b) => sha256Hex(b.bytes)));
    }
  });

  it('rejects a CAR cut anywhere inside a section as truncated', async () => {
    const { root, blocks } = await blocksOf(detRandom(300_000, 'trunc'), 1);
    const header = encodeCarHeader([root]);
    const car = await collect(encodeCar([root], blocks));
    // Section boundaries: a cut there is a well-formed (shorter) CAR, judged by completeness later.
    const boundaries = new Set<number>([header.byteLength]);
    let at = header.byteLength;
    for (const block of blocks) {
      at += encodeCarBlock(block).byteLength;
      boundaries.add(at);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: car.byteLength - 1 }), async (cut) => {
        fc.pre(!boundaries.has(cut));
        const run = async () => {
          const decoded = await decodeCar(chunked(car.subarray(0, cut), 1000));
          for await (const _ of decoded.blocks) {
            // drain
          }
        };
        await expect(run()).rejects.toThrow(CarFormatError);
      }),
      { numRuns: 60 },
    );
    await expect(decodeCar(chunked(new Uint8Array(0), 1))).rejects.toThrow(/empty stream/);
  });

  it('rejects CARv2 and headers that are not CARv1', async () => {
    const v2 = dagCbor.encode({ version: 2 });
    await expect(decodeCar(chunked(Uint8Array.from([v2.byteLength, ...v2]), 64))).rejects.toThrow(/CARv2/);
    const junk = Uint8Array.from([3, 1, 2, 3]);
    await expect(decodeCar(chunked(junk, 64))).rejects.toThrow(CarFormatError);
  });

  it('encodes the CID the importer computed for the file (sanity)', async () => {
    const { root } = await blocksOf(hello, 1);
    expect(root.toString()).toBe(await cidForBytes(hello));
  });
});
