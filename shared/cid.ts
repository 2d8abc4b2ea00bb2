import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { sha256, sha512 } from 'multiformats/hashes/sha2';
import { equals } from 'multiformats/bytes';
import type { MultihashHasher } from 'multiformats/hashes/interface';
import { BlockVerificationError, InvalidCidError } from './ipfs/errors.js';
import { importFile, KUBO_PROFILE, type CidVersion, type ImportContent } from './ipfs/unixfs-import.js';

/**
 * CID helpers both sides use: parsing, printing, hashing bytes exactly as `ipfs add` does, and
 * checking a block against its CID. Everything that reads blocks from anywhere goes through
 * `verifyBlock` — a CID is only a proof if the bytes are re-hashed.
 */

export { CID };
export type { CidVersion };
export { KUBO_PROFILE };

/** Multicodec codes of the block formats UnixFS files are made of. */
export const CODEC_RAW = 0x55;
export const CODEC_DAG_PB = 0x70;
/** Identity multihash: the "hash" is the data itself (e.g. the probe CID `bafkqaaa`). */
export const MULTIHASH_IDENTITY = 0x00;

/** Longest CID string we try to parse; real ones are < 100 characters. */
const MAX_CID_STRING = 512;

/** Parses a CID string (CIDv0 `Qm…`, or multibase base32/base36/base58btc CIDv1). */
export function parseCid(input: string | CID): CID {
  if (typeof input !== 'string') {
    const cid = CID.asCID(input);
    if (cid === null) throw new InvalidCidError(String(input));
    return cid;
  }
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_CID_STRING) throw new InvalidCidError(input);
  try {
    return CID.parse(text);
  } catch (err) {
    throw new InvalidCidError(input, err);
  }
}

/** True when `input` parses as a CID. */
export function isCid(input: string): boolean {
  try {
    parseCid(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * The form Kubo prints: CIDv0 in base58btc (`Qm…`), CIDv1 in base32 (`bafy…`/`bafk…`).
 * This is also multiformats' default, so equal CIDs always format to equal strings.
 */
export function formatCid(cid: CID | string): string {
  return parseCid(cid).toString();
}

/** The CID `ipfs add [--cid-version=1]` prints for these bytes, without storing anything. */
export async function cidForBytes(
  bytes: ImportContent,
  options: { cidVersion?: CidVersion } = {},
): Promise<string> {
  return (await importFile(bytes, options.cidVersion ?? 1)).toString();
}

const HASHERS: ReadonlyMap<number, MultihashHasher> = new Map<number, MultihashHasher>([
  [sha256.code, sha256],
  [sha512.code, sha512],
]);

/**
 * Throws BlockVerificationError unless `bytes` hash to `cid`'s multihash.
 * `maxBytes` bounds untrusted input (the trustless-gateway spec says clients cap blocks at 2 MiB).
 */
export async function verifyBlock(
  cid: CID,
  bytes: Uint8Array,
  options: { maxBytes?: number } = {},
): Promise<void> {
  const name = cid.toString();
  if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes) {
    throw new BlockVerificationError(name, `block is ${bytes.byteLength} bytes, limit ${options.maxBytes}`);
  }
  const { code, digest } = cid.multihash;
  if (code === MULTIHASH_IDENTITY) {
    if (!equals(identity.digest(bytes).digest, digest)) {
      throw new BlockVerificationError(name, 'bytes differ from the identity CID content');
    }
    return;
  }
  const hasher = HASHERS.get(code);
  if (hasher === undefined) {
    // An unknown hash function can not be checked; accepting it would make "verified" meaningless.
    throw new BlockVerificationError(name, `unsupported multihash 0x${code.toString(16)}`);
  }
  const actual = await hasher.digest(bytes);
  if (!equals(actual.digest, digest)) {
    throw new BlockVerificationError(name, 'hash mismatch (block was altered or truncated)');
  }
}

/** For identity CIDs the block is inside the CID itself; stores never hold them. */
export function identityBlock(cid: CID): Uint8Array | undefined {
  return cid.multihash.code === MULTIHASH_IDENTITY ? cid.multihash.digest : undefined;
}
