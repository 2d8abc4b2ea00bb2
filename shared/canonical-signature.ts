/**
 * The one signature scheme of the signed documents here (call envelopes, submission records,
 * payout lists): a detached Ed25519 signature over the UTF-8 of the value's RFC 8785 canonical
 * JSON, written in base58. Anyone holding the document can check it again later.
 */
import { base58 } from './base58.js';
import { canonicalJson } from './canonical-json.js';
import { signDetached, verifyDetached } from './ed25519.js';

const utf8 = new TextEncoder();

/** base58 of the detached signature over JCS(`value`). Throws for a value that is not I-JSON. */
export function signCanonical(value: unknown, secretKey64: Uint8Array): string {
  return base58.encode(signDetached(utf8.encode(canonicalJson(value)), secretKey64));
}

/**
 * True iff `signature` (decoded) is `publicKey`'s signature over JCS(`value`); false for wrong
 * lengths. Throws for a value that is not I-JSON.
 */
export function verifyCanonical(value: unknown, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyDetached(utf8.encode(canonicalJson(value)), signature, publicKey);
}
