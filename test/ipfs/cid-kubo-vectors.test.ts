import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidForBytes } from '../../shared/cid.js';
import { importFile, type KuboAddFlags } from '../../shared/ipfs/unixfs-import.js';
import { detRandom, detRandomStream } from './helpers.js';

/**
 * CIDs that Kubo's own test suite asserts (ipfs-signing.md §1.5 B; kubo test/cli/add_test.go and
 * cid_profiles_test.go), over Kubo's deterministic ChaCha20 data. These are the oracle for the
 * CIDv1 raw-leaves path, which Debian's tool cannot check.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const helloWorld = new TextEncoder().encode('hello world');

/** `ipfs add --cid-version=1` with the test-cid-v1 profile's 1 MiB chunker. */
const testCidV1: KuboAddFlags = { cidVersion: 1, chunkSize: MiB };
/** The unixfs-v1-2025 profile: CIDv1, raw leaves, 1 MiB chunks, 1024 links. */
const v1_2025: KuboAddFlags = { cidVersion: 1, chunkSize: MiB, maxLinks: 1024 };

describe("Kubo's published CID vectors", () => {
  it('"hello world", default settings (CIDv0)', async () => {
    expect(await cidForBytes(helloWorld, { cidVersion: 0 })).toBe('Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD');
  });

  it('"hello world", Import.CidVersion=1 (raw leaves) — also our default', async () => {
    const expected = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';
    expect(await cidForBytes(helloWorld, { cidVersion: 1 })).toBe(expected);
    expect(await cidForBytes(helloWorld)).toBe(expected);
  });

  it('"hello world", CIDv1 with UnixFSRawLeaves=false', async () => {
    const cid = await importFile(helloWorld, { cidVersion: 1, rawLeaves: false });
    expect(cid.toString()).toBe('bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa');
  });

  const v0: Array<[string, number, string, string]> = [
    ['one chunk', 262_144, 'chunk-v0-seed', 'QmWmRj3dFDZdb6ABvbmKhEL6TmPbAfBZ1t5BxsEyJrcZhE'],
    ['one chunk + 1', 262_145, 'chunk-v0-seed', 'QmYyLxtzZyW22zpoVAtKANLRHpDjZtNeDjQdJrcQNWoRkJ'],
    ['174 chunks (full root)', 44_544 * KiB, 'v0-seed', 'QmUbBALi174SnogsUzLpYbD4xPiBSFANF4iztWCsHbMKh2'],
    ['174 chunks + 1', 44_544 * KiB + 1, 'v0-seed', 'QmV81WL765sC8DXsRhE5fJv2rwhS4icHRaf3J9Zk5FdRnW'],
    ['44800 KiB (two levels)', 44_800 * KiB, 'v0-seed', 'QmepeWtdmS1hHXx1oZXsPUv6bMrfRRKfZcoPPU4eEfjnbf'],
  ];
  it.each(v0)('CIDv0 %s', async (_name, size, seed, expected) => {
    expect(await cidForBytes(detRandom(size, seed), { cidVersion: 0 })).toBe(expected);
  });

  it('CIDv0 256 MiB with --max-file-links 1024', async () => {
    const cid = await importFile(detRandomStream(256 * MiB, 'hello world'), { cidVersion: 0, maxLinks: 1024 });
    expect(cid.toString()).toBe('QmbBftNHWmjSWKLC49dMVrfnY8pjrJYntiAXirFJ7oJrNk');
  });

  const v1: Array<[string, number, string, KuboAddFlags, string]> = [
    ['test-cid-v1: 174 MiB (full root)', 174 * MiB, 'v1-seed', testCidV1, 'bafybeigwduxcf2aawppv3isnfeshnimkyplvw3hthxjhr2bdeje4tdaicu'],
    ['test-cid-v1: 175 MiB (two levels)', 175 * MiB, 'v1-seed', testCidV1, 'bafybeidhd7lo2n2v7lta5yamob3xwhbxcczmmtmhquwhjesi35jntf7mpu'],
    ['unixfs-v1-2025: 1 MiB (single raw leaf)', MiB, 'chunk-v1-seed', v1_2025, 'bafkreiacndfy443ter6qr2tmbbdhadvxxheowwf75s6zehscklu6ezxmta'],
    ['unixfs-v1-2025: 1 MiB + 1', MiB + 1, 'chunk-v1-seed', v1_2025, 'bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64'],
    ['unixfs-v1-2025: 1024 MiB (full root)', 1024 * MiB, 'v1-2025-seed', v1_2025, 'bafybeihmf37wcuvtx4hpu7he5zl5qaf2ineo2lqlfrapokkm5zzw7zyhvm'],
    ['unixfs-v1-2025: 1024 MiB + 1', 1024 * MiB + 1, 'v1-2025-seed', v1_2025, 'bafybeibdsi225ugbkmpbdohnxioyab6jsqrmkts3twhpvfnzp77xtzpyhe'],
  ];
  it.each(v1)('CIDv1 raw leaves, %s', async (_name, size, seed, flags, expected) => {
    expect((await importFile(detRandomStream(size, seed), flags)).toString()).toBe(expected);
  });
});

describe('cidForBytes', () => {
  it('does not depend on how the input is split into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 700 * KiB }),
        fc.array(fc.integer({ min: 1, max: 300 * KiB }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<0 | 1>(0, 1),
        async (size, cuts, cidVersion) => {
          const bytes = detRandom(size, `split-${size}`);
          const pieces: Uint8Array[] = [];
          let offset = 0;
          for (let i = 0; offset < size; i++) {
            const n = cuts[i % cuts.length]!;
            pieces.push(bytes.subarray(offset, offset + n));
            offset += n;
          }
          expect(await cidForBytes(pieces, { cidVersion })).toBe(await cidForBytes(bytes, { cidVersion }));
        },
      ),
      { numRuns: 30 },
    );
  });
});
