/**
 * Solana/Koii keypair files: the JSON text of a 64-number array, the 32-byte seed followed by the
 * 32-byte public key (`~/.config/solana/id.json`, Koii `*_stakingWallet.json`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import nacl from 'tweetnacl';
import { base58 } from './base58.js';

export type Keypair = {
  publicKey: Uint8Array;
  /** 64 bytes: seed ‖ publicKey. */
  secretKey: Uint8Array;
  publicKeyBase58: string;
};

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A fresh random keypair (tweetnacl `nacl.sign.keyPair()`). */
export function generateKeypair(): Keypair {
  const kp = nacl.sign.keyPair();
  return { publicKey: kp.publicKey, secretKey: kp.secretKey, publicKeyBase58: base58.encode(kp.publicKey) };
}

/**
 * Keypair from a 64-byte Solana secret key. Unlike `nacl.sign.keyPair.fromSecretKey`, checks that
 * bytes 32..63 are the public key derived from the seed (bytes 0..31).
 */
export function keypairFromSecretKey(sk: Uint8Array): Keypair {
  if (!(sk instanceof Uint8Array) || sk.length !== 64) {
    throw new Error(`keypair: secret key must be 64 bytes (seed ‖ public key), got ${sk instanceof Uint8Array ? sk.length : typeof sk}`);
  }
  const derived = nacl.sign.keyPair.fromSeed(sk.slice(0, 32));
  if (!bytesEqual(derived.publicKey, sk.subarray(32))) {
    throw new Error('keypair file: public key half does not match its seed');
  }
  return { publicKey: derived.publicKey, secretKey: derived.secretKey, publicKeyBase58: base58.encode(derived.publicKey) };
}

/** Parse the text of a keypair file. `source` (e.g. the path) is named in error messages. */
export function parseKeypairJson(text: string, source = 'keypair'): Keypair {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON (expected a JSON array of 64 integers 0..255)`);
  }
  if (!Array.isArray(data) || data.length !== 64) {
    const what = Array.isArray(data) ? `an array of ${data.length} items` : data === null ? 'null' : typeof data;
    throw new Error(`${source}: expected a JSON array of 64 integers 0..255, got ${what}`);
  }
  const bytes = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
      throw new Error(`${source}: expected a JSON array of 64 integers 0..255, item ${i} is ${JSON.stringify(v) ?? String(v)}`);
    }
    bytes[i] = v;
  }
  try {
    return keypairFromSecretKey(bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: ${message.replace(/^keypair( file)?: /, '')}`);
  } finally {
    bytes.fill(0);
  }
}

/** Read and validate a Solana/Koii keypair file. */
export function readKeypairFile(path: string): Keypair {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read keypair file${code ? ` (${code})` : ''}`, { cause: err });
  }
  return parseKeypairJson(text, path);
}

/**
 * Write a keypair file (64-number JSON array, mode 0600), creating parent directories.
 * Refuses to replace an existing file unless `overwrite` is set.
 */
export function writeKeypairFile(path: string, kp: Keypair, opts: { overwrite?: boolean } = {}): void {
  // Validate before writing so we never persist an unusable key.
  keypairFromSecretKey(kp.secretKey);
  const overwrite = opts.overwrite === true;
  if (!overwrite && existsSync(path)) {
    throw new Error(`${path}: keypair file already exists (refusing to overwrite)`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = JSON.stringify(Array.from(kp.secretKey));
  // 'wx' makes the no-overwrite check atomic; mode applies only when the file is created.
  try {
    writeFileSync(path, text, { mode: 0o600, flag: overwrite ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${path}: keypair file already exists (refusing to overwrite)`);
    }
    throw err;
  }
  if (overwrite) {
    // An existing file keeps its old mode on truncation; tighten it.
    chmodSafe(path);
  }
}

function chmodSafe(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch {
    /* best effort (e.g. filesystems without POSIX modes) */
  }
}
