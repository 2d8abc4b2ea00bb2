import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import type { CID } from 'multiformats/cid';
import { CODEC_DAG_PB, CODEC_RAW } from '../cid.js';
import type { VerifiedBlockGetter } from './dag.js';
import { UnixfsFormatError } from './errors.js';

/**
 * Reassembles a UnixFS file from verified blocks (what `ipfs cat` does), streaming in order.
 *
 * Beyond the per-block hash check done by the getter, it checks the structure a reader relies on:
 * every node is a file node, and each child yields exactly the size its parent's `blocksizes`
 * promises. So a DAG that hashes correctly but lies about its shape is still rejected.
 */

export interface ReadFileOptions {
  /** Refuse files larger than this (untrusted DAGs can declare anything). */
  maxBytes?: number;
  /** Refuse trees deeper than this; Kubo's balanced layout needs 4 levels for ~1 TiB. */
  maxDepth?: number;
}

interface Ctx {
  root: string;
  getBlock: VerifiedBlockGetter;
  maxBytes: number;
  maxDepth: number;
  produced: number;
}

function emit(ctx: Ctx, chunk: Uint8Array): Uint8Array {
  ctx.produced += chunk.byteLength;
  if (ctx.produced > ctx.maxBytes) {
    throw new UnixfsFormatError(ctx.root, `file exceeds the ${ctx.maxBytes}-byte limit`);
  }
  return chunk;
}

function decodeFileNode(ctx: Ctx, cid: CID, bytes: Uint8Array): { data?: Uint8Array; links: CID[]; sizes: bigint[] } {
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (node.Data === undefined) throw new Error('dag-pb node has no UnixFS data');
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (err) {
    throw new UnixfsFormatError(ctx.root, `${cid.toString()}: ${(err as Error).message}`);
  }
  if (unixfs.type !== 'file' && unixfs.type !== 'raw') {
    throw new UnixfsFormatError(ctx.root, `${cid.toString()} is a UnixFS ${unixfs.type}, not a file`);
  }
  if (node.Links.length > 0 && unixfs.blockSizes.length !== node.Links.length) {
    throw new UnixfsFormatError(ctx.root, `${cid.toString()} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`);
  }
  const data = unixfs.data;
  return { ...(data !== undefined ? { data } : {}), links: node.Links.map((l) => l.Hash), sizes: unixfs.blockSizes };
}

/** Yields the node's content; returns how many bytes that was, for the parent's size check. */
async function* readNode(ctx: Ctx, cid: CID, depth: number): AsyncGenerator<Uint8Array, number, undefined> {
  if (depth > ctx.maxDepth) throw new UnixfsFormatError(ctx.root, `tree deeper than ${ctx.maxDepth}`);
  const bytes = await ctx.getBlock(cid);
  if (cid.code === CODEC_RAW) {
    if (bytes.byteLength > 0) yield emit(ctx, bytes);
    return bytes.byteLength;
  }
  if (cid.code !== CODEC_DAG_PB) {
    throw new UnixfsFormatError(ctx.root, `${cid.toString()} has codec 0x${cid.code.toString(16)}, not raw or dag-pb`);
  }
  const node = decodeFileNode(ctx, cid, bytes);
  let total = 0;
  // UnixFS: a node's own data comes before its children's.
  if (node.data !== undefined && node.data.byteLength > 0) {
    yield emit(ctx, node.data);
    total += node.data.byteLength;
  }
  for (let i = 0; i < node.links.length; i++) {
    const got = yield* readNode(ctx, node.links[i]!, depth + 1);
    if (BigInt(got) !== node.sizes[i]) {
      throw new UnixfsFormatError(ctx.root, `child ${i} of ${cid.toString()} holds ${got} bytes, parent says ${node.sizes[i]}`);
    }
    total += got;
  }
  return total;
}

/** Streams the file's bytes in order. Throws as soon as a block is missing or wrong. */
export async function* readUnixfsFile(
  root: CID,
  getBlock: VerifiedBlockGetter,
  options: ReadFileOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const ctx: Ctx = {
    root: root.toString(),
    getBlock,
    maxBytes: options.maxBytes ?? Number.MAX_SAFE_INTEGER,
    maxDepth: options.maxDepth ?? 32,
    produced: 0,
  };
  yield* readNode(ctx, root, 0);
}

/** The whole file as one buffer. */
export async function readUnixfsFileBytes(
  root: CID,
  getBlock: VerifiedBlockGetter,
  options: ReadFileOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of readUnixfsFile(root, getBlock, options)) {
    parts.push(part);
    length += part.byteLength;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
