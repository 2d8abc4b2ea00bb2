import type { CID } from 'multiformats/cid';
import { parseCid } from '../../shared/cid.js';
import { encodeCarBlock, encodeCarHeader } from '../../shared/ipfs/car.js';
import { walkDag, type VerifiedBlockGetter, type WalkOptions } from '../../shared/ipfs/dag.js';
import { readUnixfsFileBytes } from '../../shared/ipfs/unixfs-read.js';

/**
 * The read side both backends share: once a backend can return one verified block, `cat` and
 * `exportCar` follow, so the verification rules live in one place.
 */

export function catFromBlocks(getBlock: VerifiedBlockGetter, root: CID, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
  return readUnixfsFileBytes(root, getBlock, options);
}

export async function* exportCarFromBlocks(
  getBlock: VerifiedBlockGetter,
  rootLike: CID | string,
  options: WalkOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  // Parsed here so a bad CID surfaces on iteration, like every other error of the stream.
  const root = parseCid(rootLike);
  const walk = walkDag(root, getBlock, options)[Symbol.asyncIterator]();
  // Pull the root before emitting the header: a missing root must fail before any output so the
  // gateway can still answer 404 instead of a 200 with an empty CAR.
  const first = await walk.next();
  yield encodeCarHeader([root]);
  if (first.done === true) return; // identity root: nothing to send
  yield encodeCarBlock(first.value);
  for (;;) {
    const next = await walk.next();
    if (next.done === true) return;
    yield encodeCarBlock(next.value);
  }
}
