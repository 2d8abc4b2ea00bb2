/**
 * The Ed25519 primitive under shared/ed25519.ts: libsodium (sodium-native, prebuilt binaries
 * shipped inside the npm package) where it loads, node:crypto (OpenSSL) otherwise.
 *
 * libsodium verifies about twice as fast as OpenSSL here (≈50 µs against ≈110 µs on the 2-core
 * bench VM) and the coordinator verifies one signature per worker call, so it sets the ceiling
 * of one-todo-per-call throughput. Both produce RFC 8032 signatures, byte-identical to tweetnacl.
 */
import { createRequire } from 'node:module';
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { BoundedMap } from './bounded-map.js';

export interface Ed25519Backend {
  readonly name: 'libsodium' | 'node:crypto';
  /** Detached signature with a 64-byte seed ‖ public key secret whose halves are known to match. */
  sign(message: Uint8Array, secretKey64: Uint8Array): Uint8Array;
  /** Lengths are checked by the caller; returns false on any failure. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey32: Uint8Array): boolean;
  publicKeyFromSeed(seed32: Uint8Array): Uint8Array;
}

interface Sodium {
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
}

function libsodiumBackend(sodium: Sodium): Ed25519Backend {
  return {
    name: 'libsodium',
    sign(message, secretKey64) {
      const signature = new Uint8Array(64);
      sodium.crypto_sign_detached(signature, message, secretKey64);
      return signature;
    },
    verify(message, signature, publicKey32) {
      try {
        return sodium.crypto_sign_verify_detached(signature, message, publicKey32);
      } catch {
        return false;
      }
    },
    publicKeyFromSeed(seed32) {
      const publicKey = new Uint8Array(32);
      sodium.crypto_sign_seed_keypair(publicKey, new Uint8Array(64), seed32);
      return publicKey;
    },
  };
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Upper bound on cached public KeyObjects; the oldest entry is dropped when full. */
const KEY_OBJECT_CACHE_LIMIT = 10_000;

function nodeCryptoBackend(): Ed25519Backend {
  const privateKeys = new WeakMap<Uint8Array, { secret: Buffer; key: KeyObject }>();
  const publicKeys = new BoundedMap<string, KeyObject>(KEY_OBJECT_CACHE_LIMIT);
  const privateKeyOf = (secretKey64: Uint8Array): KeyObject => {
    const cached = privateKeys.get(secretKey64);
    if (cached && cached.secret.equals(secretKey64)) return cached.key;
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey64.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    privateKeys.set(secretKey64, { secret: Buffer.from(secretKey64), key });
    return key;
  };
  const publicKeyOf = (publicKey32: Uint8Array): KeyObject => {
    const id = Buffer.from(publicKey32).toString('base64');
    let key = publicKeys.get(id);
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey32]), format: 'der', type: 'spki' });
      publicKeys.set(id, key);
    }
    return key;
  };
  return {
    name: 'node:crypto',
    sign(message, secretKey64) {
      const signature = cryptoSign(null, message, privateKeyOf(secretKey64));
      return new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength);
    },
    verify(message, signature, publicKey32) {
      try {
        return cryptoVerify(null, message, publicKeyOf(publicKey32), signature);
      } catch {
        return false;
      }
    },
    publicKeyFromSeed(seed32) {
      const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed32]), format: 'der', type: 'pkcs8' });
      return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length));
    },
  };
}

function loadSodium(): Sodium | null {
  if (process.env.SWARMTASK_ED25519 === 'node') return null;
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return null; // no prebuilt binary for this platform: OpenSSL does the same job, slower
  }
}

const sodium = loadSodium();
export const ed25519Backend: Ed25519Backend = sodium ? libsodiumBackend(sodium) : nodeCryptoBackend();
/** Both backends, for tests that check they agree. */
export const nodeCryptoEd25519: Ed25519Backend = nodeCryptoBackend();
