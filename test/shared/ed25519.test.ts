import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import {
  BASE58_ALPHABET,
  BASE58_CHARS,
  publicKeyFromBase58,
  publicKeyFromSeed,
  signDetached,
  verifyDetached,
} from '../../shared/ed25519.js';
import { ed25519Backend, nodeCryptoEd25519 } from '../../shared/ed25519-backend.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// RFC 8032 §7.1, TEST 1
const SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const PK = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const SIG_EMPTY = hex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);
const SK = new Uint8Array([...SEED, ...PK]);

describe('RFC 8032 test 1', () => {
  it('derives the public key from the seed', () => {
    expect(toHex(publicKeyFromSeed(SEED))).toBe(toHex(PK));
    expect(toHex(nacl.sign.keyPair.fromSeed(SEED).publicKey)).toBe(toHex(PK));
  });

  it('signs the empty message to the published signature', () => {
    expect(toHex(signDetached(new Uint8Array(0), SK))).toBe(toHex(SIG_EMPTY));
  });

  it('verifies the published signature and rejects tampering', () => {
    expect(verifyDetached(new Uint8Array(0), SIG_EMPTY, PK)).toBe(true);
    expect(verifyDetached(new Uint8Array([0]), SIG_EMPTY, PK)).toBe(false);
    const bad = SIG_EMPTY.slice();
    bad[10]! ^= 1;
    expect(verifyDetached(new Uint8Array(0), bad, PK)).toBe(false);
  });

  it('decodes the base58 address', () => {
    expect(bs58.encode(PK)).toBe('FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z');
    expect(toHex(publicKeyFromBase58('FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z'))).toBe(toHex(PK));
  });
});

describe('native vs tweetnacl', () => {
  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const msgArb = fc.uint8Array({ minLength: 0, maxLength: 512 });

  it('loads libsodium on this platform (the fast path), unless told to use node:crypto', () => {
    expect(ed25519Backend.name).toBe(process.env.SWARMTASK_ED25519 === 'node' ? 'node:crypto' : 'libsodium');
  });

  it('libsodium and node:crypto sign byte-identically and verify each other', () => {
    fc.assert(
      fc.property(seedArb, msgArb, (seed, msg) => {
        const publicKey = nodeCryptoEd25519.publicKeyFromSeed(seed);
        expect(toHex(ed25519Backend.publicKeyFromSeed(seed))).toBe(toHex(publicKey));
        const secretKey = new Uint8Array([...seed, ...publicKey]);
        const fast = ed25519Backend.sign(msg, secretKey);
        expect(toHex(fast)).toBe(toHex(nodeCryptoEd25519.sign(msg, secretKey)));
        expect(nodeCryptoEd25519.verify(msg, fast, publicKey)).toBe(true);
        expect(ed25519Backend.verify(msg, fast, publicKey)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('produces byte-identical signatures and each side verifies the other', () => {
    fc.assert(
      fc.property(seedArb, msgArb, (seed, msg) => {
        const kp = nacl.sign.keyPair.fromSeed(seed);
        expect(toHex(publicKeyFromSeed(seed))).toBe(toHex(kp.publicKey));
        const native = signDetached(msg, kp.secretKey);
        const tweet = nacl.sign.detached(msg, kp.secretKey);
        expect(toHex(native)).toBe(toHex(tweet));
        expect(nacl.sign.detached.verify(msg, native, kp.publicKey)).toBe(true);
        expect(verifyDetached(msg, tweet, kp.publicKey)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with tweetnacl on rejecting a flipped bit anywhere', () => {
    fc.assert(
      fc.property(seedArb, msgArb, fc.nat(), fc.constantFrom('msg', 'sig', 'pk'), (seed, msg, pos, where) => {
        const kp = nacl.sign.keyPair.fromSeed(seed);
        let m = msg;
        const s = signDetached(msg, kp.secretKey).slice();
        const pk = kp.publicKey.slice();
        if (where === 'msg') {
          if (msg.length === 0) return;
          m = msg.slice();
          m[pos % m.length]! ^= 1 << pos % 8;
        } else if (where === 'sig') {
          s[pos % 64]! ^= 1 << pos % 8;
        } else {
          pk[pos % 32]! ^= 1 << pos % 8;
        }
        expect(verifyDetached(m, s, pk)).toBe(false);
        expect(nacl.sign.detached.verify(m, s, pk)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('signature made with one key does not verify under another', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const msg = new TextEncoder().encode('hello');
    expect(verifyDetached(msg, signDetached(msg, a.secretKey), b.publicKey)).toBe(false);
  });

  it('signs correctly again after the secret key array is mutated in place', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const sk = a.secretKey.slice();
    const msg = new TextEncoder().encode('x');
    expect(verifyDetached(msg, signDetached(msg, sk), a.publicKey)).toBe(true);
    sk.set(b.secretKey);
    expect(toHex(signDetached(msg, sk))).toBe(toHex(nacl.sign.detached(msg, b.secretKey)));
  });
});

describe('input validation', () => {
  it('verifyDetached returns false on wrong lengths or types, never throws', () => {
    const kp = nacl.sign.keyPair();
    const msg = new Uint8Array([1, 2, 3]);
    const sig = signDetached(msg, kp.secretKey);
    expect(verifyDetached(msg, sig.subarray(0, 63), kp.publicKey)).toBe(false);
    expect(verifyDetached(msg, new Uint8Array(65), kp.publicKey)).toBe(false);
    expect(verifyDetached(msg, sig, kp.publicKey.subarray(0, 31))).toBe(false);
    expect(verifyDetached(msg, sig, new Uint8Array(33))).toBe(false);
    expect(verifyDetached(msg, sig, new Uint8Array(32))).toBe(false);
    expect(verifyDetached(msg, sig, new Uint8Array(32).fill(255))).toBe(false);
    expect(verifyDetached('abc' as unknown as Uint8Array, sig, kp.publicKey)).toBe(false);
    expect(verifyDetached(msg, null as unknown as Uint8Array, kp.publicKey)).toBe(false);
  });

  it('signDetached rejects bad secret keys', () => {
    expect(() => signDetached(new Uint8Array(1), new Uint8Array(32))).toThrow(/64 bytes/);
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const mixed = new Uint8Array([...a.secretKey.subarray(0, 32), ...b.publicKey]);
    expect(() => signDetached(new Uint8Array(1), mixed)).toThrow(/does not match its seed/);
  });

  it('publicKeyFromBase58 throws clear errors', () => {
    expect(() => publicKeyFromBase58('')).toThrow(/non-empty/);
    expect(() => publicKeyFromBase58('0OIl')).toThrow(/not a base58/);
    expect(() => publicKeyFromBase58('abc')).toThrow(/expected 32/);
    expect(() => publicKeyFromBase58(bs58.encode(new Uint8Array(33).fill(7)))).toThrow(/not a base58|expected 32/);
    expect(() => publicKeyFromBase58(bs58.encode(new Uint8Array(31).fill(7)))).toThrow(/31 bytes/);
  });
});

describe('base58 alphabet', () => {
  it('the character class matches exactly the alphabet bs58 uses', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const inClass = printable.filter((c) => new RegExp(`^[${BASE58_CHARS}]$`).test(c)).join('');
    expect(inClass).toBe(BASE58_ALPHABET);
    // Digit order too: one byte of value i (1..57) encodes as the alphabet's i-th character.
    for (let i = 1; i < 58; i++) expect(bs58.encode(Uint8Array.of(i))).toBe(BASE58_ALPHABET[i]);
  });
});
