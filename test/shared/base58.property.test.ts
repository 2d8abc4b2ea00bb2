import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import bs58 from 'bs58';
import { decodeBase58, encodeBase58 } from '../../shared/base58.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bytes with a run of leading zeros, as keys and signatures sometimes have. */
const bytesWithLeadingZeros = fc
  .tuple(fc.nat({ max: 6 }), fc.uint8Array({ maxLength: 120 }))
  .map(([zeros, rest]) => Uint8Array.from([...new Array<number>(zeros).fill(0), ...rest]));

function outcome(run: () => Uint8Array): { bytes: string } | { threw: true } {
  try {
    return { bytes: Buffer.from(run()).toString('hex') };
  } catch {
    return { threw: true };
  }
}

describe('base58 against the bs58 package', () => {
  it('encodes every byte string as bs58 does, and decodes it back', () => {
    fc.assert(
      fc.property(bytesWithLeadingZeros, (bytes) => {
        const text = encodeBase58(bytes);
        expect(text).toBe(bs58.encode(bytes));
        expect(decodeBase58(text)).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes every base58 string as bs58 does, leading 1s included', () => {
    const text = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 120 });
    fc.assert(
      fc.property(fc.nat({ max: 5 }), text, (ones, rest) => {
        const input = '1'.repeat(ones) + rest;
        expect(decodeBase58(input)).toEqual(bs58.decode(input));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses what bs58 refuses, naming the character', () => {
    const anyText = fc.string({ unit: fc.oneof(fc.constantFrom(...ALPHABET), fc.constantFrom('0', 'O', 'I', 'l', '+', ' ', 'é', '\u{1F600}')), maxLength: 30 });
    fc.assert(
      fc.property(anyText, (input) => {
        expect(outcome(() => decodeBase58(input))).toEqual(outcome(() => bs58.decode(input)));
      }),
      { numRuns: 5000 },
    );
    expect(() => decodeBase58('abc0def')).toThrow('not base58: "0" at position 3');
  });

  it('handles the edges: nothing, only zeros, a 64-byte signature of all 0xff', () => {
    expect(encodeBase58(new Uint8Array())).toBe('');
    expect(decodeBase58('')).toEqual(new Uint8Array());
    expect(encodeBase58(new Uint8Array(3))).toBe('111');
    expect(decodeBase58('111')).toEqual(new Uint8Array(3));
    const ones = new Uint8Array(64).fill(0xff);
    expect(encodeBase58(ones)).toBe(bs58.encode(ones));
  });
});
