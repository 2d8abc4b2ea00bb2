import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../shared/canonical-json.js';

/** The same value with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(out, key, { value: reverseKeys((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Any UTF-16 code unit, lone surrogates included. */
const anyUnitString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 8 });

function outcome(run: () => string): { ok: string } | { threw: true } {
  try {
    return { ok: run() };
  } catch {
    return { threw: true };
  }
}

describe('canonicalJson against the canonicalize package (RFC 8785 reference)', () => {
  it('writes what canonicalize writes, whatever order the keys were inserted in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = canonicalize(value);
        expect(canonicalJson(value)).toBe(expected);
        expect(canonicalJson(reverseKeys(value))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on every double, -0 and exponents included', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(canonicalJson({ n, list: [n] })).toBe(canonicalize({ n, list: [n] }));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts and refuses the same strings and keys (lone surrogates are refused)', () => {
    fc.assert(
      fc.property(anyUnitString, anyUnitString, (key, text) => {
        const value = { [key]: text, list: [text] };
        const ours = outcome(() => canonicalJson(value));
        expect(ours).toEqual(outcome(() => canonicalize(value) as string));
        if ('threw' in ours) expect(() => canonicalJson(value)).toThrow(/Lone surrogate/);
      }),
      { numRuns: 2000 },
    );
  });

  it('serializes through toJSON, as canonicalize and JSON.stringify do', () => {
    const value = { at: new Date(Date.UTC(2026, 11, 3)), nested: { toJSON: () => ({ b: 1, a: [2] }) } };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe('{"at":"2026-12-03T00:00:00.000Z","nested":{"a":[2],"b":1}}');
  });

  it('names the path of a bad value inside arrays and objects', () => {
    expect(() => canonicalJson({ a: { b: [1, 2, { c: NaN }] } })).toThrow('canonicalJson: value at a.b[2].c is NaN, which is not valid I-JSON');
    expect(() => canonicalJson({ list: [1, Symbol('s')] })).toThrow('canonicalJson: value at list[1] is a symbol, which has no JSON representation');
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
    const loop: Record<string, unknown>[] = [{}];
    loop[0]!.back = loop;
    expect(() => canonicalJson({ top: loop })).toThrow('canonicalJson: circular reference at top[0].back');
  });
});
