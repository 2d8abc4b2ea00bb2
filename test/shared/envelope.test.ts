import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import { z } from 'zod';
import {
  NONCE_RE,
  SIGNED_META_KEYS,
  SignedEnvelopeBaseSchema,
  newNonce,
  openLegacy,
  signEnvelope,
  signLegacy,
  signedEnvelopeSchema,
  verifyEnvelopeSignature,
} from '../../shared/envelope.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { generateKeypair, keypairFromSecretKey } from '../../shared/keypair.js';
import { signDetached } from '../../shared/ed25519.js';

const kp = generateKeypair();
const other = generateKeypair();
const utf8 = (s: string) => new TextEncoder().encode(s);

function flipChar(s: string, i: number): string {
  const c = s[i]!;
  const r = c === '2' ? '3' : '2';
  return s.slice(0, i) + r + s.slice(i + 1);
}

describe('canonicalJson', () => {
  it('sorts keys recursively and is independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('uses ECMAScript number serialization', () => {
    expect(canonicalJson([1e21, 0.1, -0, 1.0])).toBe('[1e+21,0.1,0,1]');
  });

  it('omits undefined properties like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('throws clear errors for non-I-JSON input', () => {
    expect(() => canonicalJson(NaN)).toThrow(/canonicalJson: top-level value is NaN/);
    expect(() => canonicalJson({ x: { y: Infinity } })).toThrow(/x\.y is Infinity/);
    expect(() => canonicalJson([1, -Infinity])).toThrow(/\[1\] is -Infinity/);
    expect(() => canonicalJson(undefined)).toThrow(/top-level value is a undefined/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/f is a function/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/n is a bigint/);
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(/canonicalJson: not I-JSON: Lone surrogate/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(circular)).toThrow(/circular/);
  });
});

describe('nonce', () => {
  it('is 22 base58 characters, never repeated, every character in use', () => {
    const seen = new Set<string>();
    const characters = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const n = newNonce();
      expect(n).toMatch(NONCE_RE);
      expect(n).toHaveLength(22);
      seen.add(n);
      for (const c of n) characters.add(c);
    }
    expect(seen.size).toBe(5000);
    // 110,000 draws over 58 characters: a missing one would mean a biased or broken mapping.
    expect(characters.size).toBe(58);
  });
});

describe('signEnvelope / verifyEnvelopeSignature', () => {
  const meta = { action: 'claim', taskId: 'task-1', timestamp: 1_700_000_000_000, nonce: '4vJ9JU1bJJE96FWSJKvHsm' };

  it('signs payload = body + meta with the staking key', () => {
    const env = signEnvelope({ jobId: 'j1', n: 3 }, meta, kp);
    expect(env.payload).toEqual({ jobId: 'j1', n: 3, ...meta });
    expect(env.stakingKey).toBe(kp.publicKeyBase58);
    const sig = bs58.decode(env.signature);
    expect(sig).toHaveLength(64);
    expect(nacl.sign.detached.verify(utf8(canonicalJson(env.payload)), sig, kp.publicKey)).toBe(true);
    expect(verifyEnvelopeSignature(env)).toBe(true);
    expectTypeOf(env.payload).toEqualTypeOf<{ jobId: string; n: number } & { action: string; taskId: string; timestamp: number; nonce: string }>();
  });

  it('fills timestamp and nonce by default', () => {
    const before = Date.now();
    const env = signEnvelope({}, { action: 'a', taskId: 't' }, kp);
    expect(env.payload.timestamp).toBeGreaterThanOrEqual(before);
    expect(env.payload.timestamp).toBeLessThanOrEqual(Date.now());
    expect(env.payload.nonce).toMatch(NONCE_RE);
    expect(Object.keys(env.payload).sort()).toEqual([...SIGNED_META_KEYS].sort());
    expect(verifyEnvelopeSignature(env)).toBe(true);
  });

  it('rejects bad meta', () => {
    expect(() => signEnvelope({}, { ...meta, action: '' }, kp)).toThrow(/action/);
    expect(() => signEnvelope({}, { ...meta, timestamp: 1.5 }, kp)).toThrow(/timestamp/);
    expect(() => signEnvelope({}, { ...meta, nonce: 'short' }, kp)).toThrow(/nonce/);
    expect(() => signEnvelope({ x: NaN }, meta, kp)).toThrow(/x is NaN/);
  });

  it('key order of the payload does not matter', () => {
    const env = signEnvelope({ z: 1, a: { y: 2, b: 3 } }, meta, kp);
    const reordered = Object.fromEntries(Object.entries(env.payload).reverse());
    reordered.a = { b: 3, y: 2 };
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(env.payload));
    expect(verifyEnvelopeSignature({ ...env, payload: reordered })).toBe(true);
    // Round trip through the wire.
    expect(verifyEnvelopeSignature(JSON.parse(JSON.stringify(env)))).toBe(true);
  });

  it('any change to payload, stakingKey or signature fails', () => {
    const env = signEnvelope({ jobId: 'j1', n: 3, nested: { ok: true } }, meta, kp);
    const variants: unknown[] = [
      { ...env.payload, n: 4 },
      { ...env.payload, jobId: 'j2' },
      { ...env.payload, extra: 1 },
      { ...env.payload, nested: { ok: false } },
      { ...env.payload, action: 'submit' },
      { ...env.payload, taskId: 'task-2' },
      { ...env.payload, timestamp: meta.timestamp + 1 },
      { ...env.payload, nonce: newNonce() },
      (({ nonce: _n, ...rest }) => rest)(env.payload),
    ];
    for (const payload of variants) {
      expect(verifyEnvelopeSignature({ ...env, payload })).toBe(false);
    }
    expect(verifyEnvelopeSignature({ ...env, stakingKey: other.publicKeyBase58 })).toBe(false);
    for (let i = 0; i < env.signature.length; i += 7) {
      expect(verifyEnvelopeSignature({ ...env, signature: flipChar(env.signature, i) })).toBe(false);
    }
  });

  it('property: random JSON bodies verify; mutated ones do not', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (body, extra) => {
        const env = signEnvelope(body, meta, kp);
        expect(verifyEnvelopeSignature(JSON.parse(JSON.stringify(env)))).toBe(true);
        const mutated = { ...env.payload, [`~${extra}`]: extra };
        expect(verifyEnvelopeSignature({ ...env, payload: mutated })).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('returns false (never throws) on malformed input', () => {
    const env = signEnvelope({}, meta, kp);
    const bad: unknown[] = [
      { ...env, signature: '' },
      { ...env, signature: '0OIl'.repeat(22) },
      { ...env, signature: env.signature.slice(0, 40) },
      { ...env, signature: env.signature + env.signature },
      { ...env, signature: bs58.encode(new Uint8Array(65).fill(9)) },
      { ...env, stakingKey: '' },
      { ...env, stakingKey: 'not-base58!' },
      { ...env, stakingKey: bs58.encode(new Uint8Array(31).fill(9)) },
      { ...env, stakingKey: 123 },
      { ...env, payload: null },
      { ...env, payload: [1, 2] },
      { ...env, payload: 'str' },
      { ...env, payload: { ...env.payload, x: NaN } },
      null,
      'string',
    ];
    for (const e of bad) {
      expect(verifyEnvelopeSignature(e as Parameters<typeof verifyEnvelopeSignature>[0])).toBe(false);
    }
  });
});

describe('signedEnvelopeSchema', () => {
  const ClaimSchema = signedEnvelopeSchema(z.object({ jobId: z.string(), count: z.number().int() }));

  it('accepts a signed envelope and infers the payload type', () => {
    const env = signEnvelope({ jobId: 'j', count: 2 }, { action: 'claim', taskId: 't' }, kp);
    const parsed = ClaimSchema.parse(env);
    expect(parsed).toEqual(env);
    expectTypeOf(parsed.payload).toEqualTypeOf<{
      jobId: string;
      count: number;
      action: string;
      taskId: string;
      timestamp: number;
      nonce: string;
    }>();
    expectTypeOf(parsed.stakingKey).toEqualTypeOf<string>();
    expectTypeOf<z.input<typeof ClaimSchema>['signature']>().toEqualTypeOf<string>();
  });

  function issuePaths(schema: z.ZodType, value: unknown): string[] {
    const r = schema.safeParse(value);
    expect(r.success).toBe(false);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  }

  it('reports errors with field paths', () => {
    const env = signEnvelope({ jobId: 'j', count: 2 }, { action: 'claim', taskId: 't' }, kp);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, nonce: 'short' } })).toEqual(['payload.nonce']);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, nonce: 'O'.repeat(20) } })).toEqual(['payload.nonce']);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, timestamp: 1.5 } })).toEqual(['payload.timestamp']);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, action: '' } })).toEqual(['payload.action']);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, taskId: undefined } })).toEqual(['payload.taskId']);
    expect(issuePaths(ClaimSchema, { ...env, payload: { ...env.payload, count: 'x' } })).toEqual(['payload.count']);
    expect(issuePaths(ClaimSchema, { ...env, stakingKey: 'abc' })).toEqual(['stakingKey']);
    expect(issuePaths(ClaimSchema, { ...env, stakingKey: bs58.encode(new Uint8Array(31).fill(200)) })).toEqual(['stakingKey']);
    expect(issuePaths(ClaimSchema, { ...env, signature: 'abc' })).toEqual(['signature']);
    expect(issuePaths(ClaimSchema, { ...env, signature: bs58.encode(new Uint8Array(63).fill(200)) })).toEqual(['signature']);
    expect(issuePaths(ClaimSchema, { payload: env.payload })).toEqual(['stakingKey', 'signature']);
  });

  it('keeps payload-defined meta fields such as a literal action', () => {
    const S = signedEnvelopeSchema(z.object({ action: z.literal('claim'), jobId: z.string() }));
    const good = signEnvelope({ jobId: 'j' }, { action: 'claim', taskId: 't' }, kp);
    expect(S.safeParse(good).success).toBe(true);
    const wrong = signEnvelope({ jobId: 'j' }, { action: 'submit', taskId: 't' }, kp);
    expect(issuePaths(S, wrong)).toEqual(['payload.action']);
    expectTypeOf<z.infer<typeof S>['payload']['action']>().toEqualTypeOf<'claim'>();
    expectTypeOf<z.infer<typeof S>['payload']['nonce']>().toEqualTypeOf<string>();
  });

  it('base schema keeps unknown payload keys so the parsed value still verifies', () => {
    const env = signEnvelope({ anything: [1, { deep: 'x' }] }, { action: 'a', taskId: 't' }, kp);
    const parsed = SignedEnvelopeBaseSchema.parse(JSON.parse(JSON.stringify(env)));
    expect(parsed.payload).toEqual(env.payload);
    expect(verifyEnvelopeSignature(parsed)).toBe(true);
    expectTypeOf(parsed.payload.timestamp).toEqualTypeOf<number>();
  });
});

describe('legacy Koii attached signatures', () => {
  const body = {
    taskId: 'Ab1Task',
    roundNumber: 7,
    action: 'add-todo-pr',
    stakingKey: kp.publicKeyBase58,
    prUrl: 'https://github.com/o/r/pull/1',
    note: 'ünïcødé ✓',
  };

  it('equals bs58(nacl.sign(utf8(JSON.stringify(body)), sk))', () => {
    const expected = bs58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(body)), kp.secretKey));
    expect(signLegacy(body, kp.secretKey)).toBe(expected);
  });

  it('property: matches tweetnacl attached signing for random bodies and keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.dictionary(fc.string(), fc.jsonValue()), (seed, b) => {
        const sk = nacl.sign.keyPair.fromSeed(seed).secretKey;
        const expected = bs58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(b)), sk));
        expect(signLegacy(b, sk)).toBe(expected);
        // and sig ‖ msg from the detached signer is the same thing
        const msg = new TextEncoder().encode(JSON.stringify(b));
        expect(bs58.encode(new Uint8Array([...signDetached(msg, sk), ...msg]))).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('decodes to 64 + message length bytes', () => {
    const text = JSON.stringify(body);
    const bytes = bs58.decode(signLegacy(body, kp.secretKey));
    expect(bytes.length).toBe(64 + Buffer.byteLength(text, 'utf8'));
    expect(new TextDecoder().decode(bytes.subarray(64))).toBe(text);
  });

  it('openLegacy recovers the exact JSON', () => {
    const sig = signLegacy(body, kp.secretKey);
    const res = openLegacy(sig, kp.publicKeyBase58);
    expect(res).toEqual({ ok: true, data: body, text: JSON.stringify(body) });
    // tweetnacl agrees
    const opened = nacl.sign.open(bs58.decode(sig), kp.publicKey);
    expect(opened && new TextDecoder().decode(opened)).toBe(JSON.stringify(body));
  });

  it('opens signatures produced by tweetnacl directly', () => {
    const k = keypairFromSecretKey(nacl.sign.keyPair().secretKey);
    const sig = bs58.encode(nacl.sign(new TextEncoder().encode('{"a":[1,2]}'), k.secretKey));
    expect(openLegacy(sig, k.publicKeyBase58)).toEqual({ ok: true, data: { a: [1, 2] }, text: '{"a":[1,2]}' });
  });

  it('wrong key or tampering gives invalid_signature', () => {
    const sig = signLegacy(body, kp.secretKey);
    expect(openLegacy(sig, other.publicKeyBase58)).toEqual({ ok: false, reason: 'invalid_signature' });
    const bytes = bs58.decode(sig);
    bytes[bytes.length - 2]! ^= 1;
    expect(openLegacy(bs58.encode(bytes), kp.publicKeyBase58)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('garbage gives malformed', () => {
    for (const [s, k] of [
      ['', kp.publicKeyBase58],
      ['0OIl+/', kp.publicKeyBase58],
      [bs58.encode(new Uint8Array(63).fill(5)), kp.publicKeyBase58],
      [signLegacy(body, kp.secretKey), 'nope'],
      [signLegacy(body, kp.secretKey), ''],
      ['2'.repeat(10_000), kp.publicKeyBase58],
      [123, kp.publicKeyBase58],
    ] as Array<[string, string]>) {
      expect(openLegacy(s, k)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('a validly signed non-JSON message gives not_json', () => {
    const notJson = bs58.encode(nacl.sign(new TextEncoder().encode('hello'), kp.secretKey));
    expect(openLegacy(notJson, kp.publicKeyBase58)).toEqual({ ok: false, reason: 'not_json' });
    const badUtf8 = bs58.encode(nacl.sign(new Uint8Array([0x22, 0xff, 0x22]), kp.secretKey));
    expect(openLegacy(badUtf8, kp.publicKeyBase58)).toEqual({ ok: false, reason: 'not_json' });
  });

  it('an empty signed message is opened (and is not JSON)', () => {
    const empty = bs58.encode(nacl.sign(new Uint8Array(0), kp.secretKey));
    expect(openLegacy(empty, kp.publicKeyBase58)).toEqual({ ok: false, reason: 'not_json' });
  });

  it('honours maxChars', () => {
    const sig = signLegacy(body, kp.secretKey);
    expect(openLegacy(sig, kp.publicKeyBase58, { maxChars: sig.length - 1 })).toEqual({ ok: false, reason: 'malformed' });
    expect(openLegacy(sig, kp.publicKeyBase58, { maxChars: sig.length }).ok).toBe(true);
  });
});
