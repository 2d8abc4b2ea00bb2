import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import { CODEC_DAG_PB, CODEC_RAW, MULTIHASH_IDENTITY } from '../cid.js';
import type { CarBlock } from './car.js';
import { IpfsUnsupportedError } from './errors.js';

/**
 * Fetches one block and returns its bytes only after checking them against the CID
 * (`verifyBlock`); throws BlockNotFoundError when absent. Every reader in this layer is built
 * on such a getter, so no unverified byte ever reaches a caller.
 */
export type VerifiedBlockGetter = (cid: CID) => Promise<Uint8Array>;

/** Links of a block, in order. Only codecs UnixFS files are made of can be traversed. */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === CODEC_RAW) return [];
  if (cid.code === CODEC_DAG_PB) return dagPb.decode(bytes).Links.map((l) => l.Hash);
  // Treating an unknown codec as a leaf would silently produce an incomplete CAR.
  throw new IpfsUnsupportedError(`cannot traverse codec 0x${cid.code.toString(16)} of ${cid.toString()}`);
}

export interface WalkOptions {
  /** `all` (default): the whole DAG; `block`: only the root (trustless-gateway `dag-scope`). */
  scope?: 'all' | 'block';
  /** Send a block every time it occurs (`dups=y`) instead of once (`dups=n`, default). */
  dups?: boolean;
  /** Upper bound on emitted blocks; with `dups` a small hostile DAG can repeat a subtree a lot. */
  maxBlocks?: number;
}

/**
 * Depth-first, left-to-right walk from `root` (CAR `order=dfs`). Identity-hashed blocks are never
 * emitted: their data is inside the parent's link, and the gateway spec forbids sending them.
 * Uses an explicit stack so a deep (hostile) DAG cannot overflow the call stack.
 */
export async function* walkDag(
  root: CID,
  getBlock: VerifiedBlockGetter,
  options: WalkOptions = {},
): AsyncGenerator<CarBlock, void, undefined> {
  const seen = new Set<string>();
  const stack: CID[] = [root];
  const maxBlocks = options.maxBlocks ?? 1_000_000;
  let emitted = 0;
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const key = cid.toV1().toString();
    if (options.dups !== true) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const bytes = await getBlock(cid);
    if (cid.multihash.code !== MULTIHASH_IDENTITY) {
      if (++emitted > maxBlocks) throw new IpfsUnsupportedError(`DAG under ${root.toString()} exceeds ${maxBlocks} blocks`);
      yield { cid, bytes };
    }
    if (options.scope === 'block') return;
    const links = blockLinks(cid, bytes);
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i]!);
  }
}
