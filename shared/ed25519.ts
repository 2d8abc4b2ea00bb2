/**
 * Ed25519 for signed envelopes, keypairs and distributions: validation, base58 keys and the
 * Solana/Koii secret-key layout around the primitive in ./ed25519-backend.ts (libsodium, or
 * node:crypto where libsodium's binary cannot load).
 *
 * Signatures are deterministic RFC 8032 Ed25519, so they are byte-identical to tweetnacl's
 * `nacl.sign.detached` for the same Solana/Koii secret key (seed ‖ public key), and each side
 * verifies the other's. Native verification is 20–40x faster than tweetnacl, which matters
 * because the server checks a signature on every worker request.
 *
 * One deliberate difference: both native libraries reject non-canonical signatures (S ≥ L), and
 * libsodium also small-order keys and R points, which tweetnacl accepts. Honest signers never
 * produce those, so this only makes verification stricter.
 */
import { BASE58_ALPHABET, base58 } from './base58.js';
import { BoundedMap } from './bounded-map.js';
import { ed25519Backend } from './ed25519-backend.js';

export const PUBLIC_KEY_LENGTH = 32;
export const SECRET_KEY_LENGTH = 64;
export const SEED_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export { BASE58_ALPHABET };
/** The same alphabet as a regular-expression character class body. */
export const BASE58_CHARS = '1-9A-HJ-NP-Za-km-z';
const BASE58_RE = new RegExp(`^[${BASE58_CHARS}]+$`);
/** 32 bytes are at most 44 base58 characters. */
const MAX_PUBLIC_KEY_B58 = 44;

/**
 * Decode a base58 Ed25519 public key (Solana/Koii address).
 * @throws Error if the string is not base58 or does not decode to exactly 32 bytes.
 */
export function publicKeyFromBase58(b58: string): Uint8Array {
  if (typeof b58 !== 'string' || b58.length === 0) {
    throw new Error('public key: expected a non-empty base58 string');
  }
  if (b58.length > MAX_PUBLIC_KEY_B58 || !BASE58_RE.test(b58)) {
    throw new Error(`public key: "${b58.slice(0, 60)}" is not a base58 Ed25519 public key`);
  }
  const bytes = base58.decode(b58);
  if (bytes.length !== PUBLIC_KEY_LENGTH) {
    throw new Error(`public key: decodes to ${bytes.length} bytes, expected ${PUBLIC_KEY_LENGTH}`);
  }
  return bytes;
}

// A worker signs every call with the same key: remembering its decoded form saves a base58
// decode (twice per call: schema check and signature check). Bounded; the oldest entry goes first.
/** Upper bound on remembered decoded base58 keys. */
export const PUBLIC_KEY_CACHE_LIMIT = 10_000;
const decodedKeys = new BoundedMap<string, Uint8Array | null>(PUBLIC_KEY_CACHE_LIMIT);

/** Like publicKeyFromBase58 but returns null instead of throwing. */
export function tryPublicKeyFromBase58(b58: unknown): Uint8Array | null {
  if (typeof b58 !== 'string' || b58.length === 0 || b58.length > MAX_PUBLIC_KEY_B58) return null;
  const known = decodedKeys.get(b58);
  if (known !== undefined) return known && known.slice();
  if (!BASE58_RE.test(b58)) return null;
  const bytes = base58.decode(b58);
  const key = bytes.length === PUBLIC_KEY_LENGTH ? bytes : null;
  decodedKeys.set(b58, key && key.slice());
  return key;
}

// ---------------------------------------------------------------------------------------------
// Private keys
// ---------------------------------------------------------------------------------------------

/**
 * Secret keys whose public half was checked against their seed, with the bytes seen then (a caller
 * that mutates its array in place gets checked again). Keyed by the caller's array, so entries die
 * with the keypair and secrets are not held elsewhere.
 */
const checkedSecrets = new WeakMap<Uint8Array, Buffer>();

// tweetnacl and libsodium sign with bytes 32..63 as the public key without checking them; a key
// whose halves disagree yields signatures that verify under neither key. Refuse it instead.
function assertHalvesMatch(secretKey64: Uint8Array): void {
  const seen = checkedSecrets.get(secretKey64);
  if (seen && seen.equals(secretKey64)) return;
  const derived = ed25519Backend.publicKeyFromSeed(secretKey64.subarray(0, SEED_LENGTH));
  if (!Buffer.from(derived).equals(secretKey64.subarray(SEED_LENGTH))) {
    throw new Error('ed25519: secret key public half does not match its seed');
  }
  checkedSecrets.set(secretKey64, Buffer.from(secretKey64));
}

/**
 * Detached Ed25519 signature (64 bytes), identical to `nacl.sign.detached(message, secretKey64)`.
 * @param secretKey64 Solana/Koii secret key: 32-byte seed followed by the 32-byte public key.
 * @throws Error if the secret key is not 64 bytes or its halves do not match.
 */
export function signDetached(message: Uint8Array, secretKey64: Uint8Array): Uint8Array {
  if (!(secretKey64 instanceof Uint8Array) || secretKey64.length !== SECRET_KEY_LENGTH) {
    throw new Error(`ed25519: secret key must be ${SECRET_KEY_LENGTH} bytes (seed ‖ public key)`);
  }
  assertHalvesMatch(secretKey64);
  return ed25519Backend.sign(message, secretKey64);
}

/** Public key (32 bytes) for a 32-byte seed, computed natively. */
export function publicKeyFromSeed(seed32: Uint8Array): Uint8Array {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== SEED_LENGTH) {
    throw new Error(`ed25519: seed must be ${SEED_LENGTH} bytes`);
  }
  return ed25519Backend.publicKeyFromSeed(seed32);
}

/**
 * Verify a detached Ed25519 signature, like `nacl.sign.detached.verify`.
 * Returns false (never throws) on wrong lengths, non-Uint8Array input or an unusable public key.
 */
export function verifyDetached(message: Uint8Array, signature: Uint8Array, publicKey32: Uint8Array): boolean {
  if (
    !(message instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    !(publicKey32 instanceof Uint8Array) ||
    signature.length !== SIGNATURE_LENGTH ||
    publicKey32.length !== PUBLIC_KEY_LENGTH
  ) {
    return false;
  }
  return ed25519Backend.verify(message, signature, publicKey32);
}
