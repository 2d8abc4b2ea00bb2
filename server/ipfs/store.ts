import type { CID } from 'multiformats/cid';
import type { CidVersion } from '../../shared/cid.js';
import type { ImportContent } from '../../shared/ipfs/unixfs-import.js';
import type { WalkOptions } from '../../shared/ipfs/dag.js';

/**
 * The IPFS layer's one interface (DESIGN §8). Two backends implement it: the embedded SQLite
 * block store (default) and a Kubo daemon over its RPC API (`IPFS_API_URL`). Callers cannot tell
 * them apart: same CIDs for the same bytes, and every read is verified against the CID.
 */
export interface IpfsStore {
  readonly backend: 'embedded' | 'kubo';

  /**
   * Stores a file and returns the CID `ipfs add` prints for it: CIDv1 with raw leaves by
   * default, CIDv0 with `cidVersion: 0`.
   */
  add(content: ImportContent, options?: { cidVersion?: CidVersion }): Promise<string>;

  /** The file's bytes, each block verified; BlockNotFoundError / BlockVerificationError otherwise. */
  cat(cid: CID | string, options?: { maxBytes?: number }): Promise<Uint8Array>;

  /** One block's bytes, verified against `cid`; BlockNotFoundError when absent. */
  getBlock(cid: CID | string): Promise<Uint8Array>;

  /** Whether the block is available locally (never fetched from elsewhere). */
  hasBlock(cid: CID | string): Promise<boolean>;

  /**
   * A CARv1 of the DAG under `cid` (`order=dfs`, `dups=n` unless asked), streamed. The root is
   * fetched before the first chunk is produced, so a missing root fails before any output.
   */
  exportCar(cid: CID | string, options?: WalkOptions): AsyncIterable<Uint8Array>;
}
