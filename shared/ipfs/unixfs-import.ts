import { importer, type ImporterOptions, type WritableStorage } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';

/**
 * Kubo-identical UnixFS import (reference ipfs-signing.md §1.1–§1.2).
 *
 * Every option is pinned explicitly rather than relying on importer defaults: the importer's
 * defaults and Kubo's `Import.*` config have both changed over time (IPIP-499 profiles), and a
 * CID is only reproducible if the whole option set is.
 */

export type CidVersion = 0 | 1;

/** Kubo `Import.UnixFSChunker` default: size-262144. */
export const KUBO_CHUNK_SIZE = 262_144;
/** Kubo `Import.UnixFSFileMaxLinks` default: 174. */
export const KUBO_MAX_LINKS = 174;

/** Name of the option set, recorded next to CIDs so a reader knows how to recompute them. */
export const KUBO_PROFILE: Record<CidVersion, string> = {
  0: 'kubo-add-v0 (unixfs-v0-2015: dag-pb leaves, 256KiB, 174 links, balanced)',
  1: 'kubo-add-v1 (cid-version=1: raw leaves, 256KiB, 174 links, balanced)',
};

/**
 * The `ipfs add` flags that shape a file's DAG, for the rare caller that needs a non-default one
 * (e.g. to check Kubo's published vectors for `--chunker=size-1048576` or `--max-file-links`).
 * Defaults are Kubo's defaults for the chosen CID version.
 */
export interface KuboAddFlags {
  cidVersion: CidVersion;
  /** `--raw-leaves`; Kubo: true when cidVersion is 1, false otherwise. */
  rawLeaves?: boolean;
  /** `--chunker=size-N`. */
  chunkSize?: number;
  /** `--max-file-links`. */
  maxLinks?: number;
}

/**
 * The importer options equal to `ipfs add` (v0) or `ipfs add --cid-version=1` (v1, which implies
 * raw leaves). A factory, because `importer()` mutates the options object it is given.
 */
export function kuboImporterOptions(flags: KuboAddFlags | CidVersion): ImporterOptions {
  const f: KuboAddFlags = typeof flags === 'number' ? { cidVersion: flags } : flags;
  const rawLeaves = f.rawLeaves ?? f.cidVersion === 1;
  return {
    cidVersion: f.cidVersion,
    rawLeaves,
    // Kubo's non-raw leaves are UnixFS `file` nodes (the importer's 'raw' leaf type is only for
    // emulating the trickle layout).
    leafType: 'file',
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: f.chunkSize ?? KUBO_CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: f.maxLinks ?? KUBO_MAX_LINKS }),
    wrapWithDirectory: false,
  };
}

export type ImportContent = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Where imported blocks go; `put` receives each block once its bytes are final, root last. */
export type BlockSink = WritableStorage;

/** Discards blocks: for "only hash" (`ipfs add -n`). */
const discard: BlockSink = { put: (cid) => cid };

/**
 * Imports one file (never wrapped in a directory, no mode/mtime — either would change the root
 * exactly as it does in Kubo) and returns its root CID.
 */
export async function importFile(
  content: ImportContent,
  flags: KuboAddFlags | CidVersion,
  sink: BlockSink = discard,
): Promise<CID> {
  let root: CID | undefined;
  // One candidate without a path: the single yielded entry is the file root.
  for await (const entry of importer([{ content }], sink, kuboImporterOptions(flags))) {
    root = entry.cid;
  }
  if (root === undefined) throw new Error('importer yielded no entry');
  return root;
}
