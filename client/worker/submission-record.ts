import { createHash } from 'node:crypto';
import { base58 } from '../../shared/base58.js';
import { signCanonical, verifyCanonical } from '../../shared/canonical-signature.js';
import { tryPublicKeyFromBase58 } from '../../shared/ed25519.js';
import type { Keypair } from '../../shared/keypair.js';
import { SubmissionRecordSchema, type SignedSubmission, type SubmissionRecord } from '../../shared/submission-schemas.js';

/**
 * The signed submission record (DESIGN §4) as it goes to IPFS: `{record, signature}`, where
 * `signature` is base58 of a detached ed25519 signature over canonicalJson(record) by
 * `record.stakingKey`. Its CID is what the worker submits.
 */

const utf8 = new TextEncoder();

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Validates `record` (SubmissionRecordSchema) and signs it with `keypair`, which must be the record's staking key. */
export function signSubmissionRecord(record: SubmissionRecord, keypair: Keypair): SignedSubmission {
  const parsed = SubmissionRecordSchema.parse(record);
  if (parsed.stakingKey !== keypair.publicKeyBase58) {
    throw new Error(`submission record names staking key ${parsed.stakingKey}, but it is signed with ${keypair.publicKeyBase58}`);
  }
  return { record: parsed, signature: signCanonical(parsed, keypair.secretKey) };
}

/** The bytes stored on IPFS for a signed record. */
export function encodeSignedSubmission(signed: SignedSubmission): Uint8Array {
  return utf8.encode(JSON.stringify(signed));
}

/** True iff `signature` is `record.stakingKey`'s signature over canonicalJson(record) exactly as given. Never throws. */
export function verifySubmissionSignature(record: unknown, signature: unknown): boolean {
  try {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
    if (typeof signature !== 'string') return false;
    const publicKey = tryPublicKeyFromBase58((record as { stakingKey?: unknown }).stakingKey);
    if (!publicKey) return false;
    return verifyCanonical(record, base58.decode(signature), publicKey);
  } catch {
    return false;
  }
}
