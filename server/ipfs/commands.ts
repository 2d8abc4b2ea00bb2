import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { CidVersion } from '../../shared/cid.js';
import type { IpfsStore } from './store.js';

/**
 * Plain functions behind `swarmtask ipfs add FILE [--cid-version 0|1]` and `swarmtask ipfs cat CID`
 * (the CLI wiring lives elsewhere).
 */

/** Adds a file and returns the CID `ipfs add` prints for it (CIDv1 raw leaves unless 0 is asked). */
export async function ipfsAddFile(store: IpfsStore, path: string, options: { cidVersion?: CidVersion } = {}): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file (directories are not supported)`);
  // Small files go as one buffer (lets the Kubo backend cross-check the CID); large ones stream.
  if (info.size <= 16 * 1024 * 1024) {
    const buf = await readFile(path);
    return store.add(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), options);
  }
  return store.add(createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Uint8Array>, options);
}

/** The verified bytes of a UnixFS file. */
export async function ipfsCat(store: IpfsStore, cid: string): Promise<Uint8Array> {
  return store.cat(cid, { maxBytes: Number.MAX_SAFE_INTEGER });
}
