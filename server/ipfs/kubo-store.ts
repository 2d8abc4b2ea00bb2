import type { AddOptions, KuboRPCClient } from 'kubo-rpc-client';
import type { CID } from 'multiformats/cid';
import { cidForBytes, identityBlock, parseCid, verifyBlock, type CidVersion } from '../../shared/cid.js';
import type { WalkOptions } from '../../shared/ipfs/dag.js';
import { BlockNotFoundError, CidMismatchError } from '../../shared/ipfs/errors.js';
import { KUBO_CHUNK_SIZE, KUBO_MAX_LINKS, type ImportContent } from '../../shared/ipfs/unixfs-import.js';
import { catFromBlocks, exportCarFromBlocks } from './block-reads.js';
import type { IpfsStore } from './store.js';

/**
 * IpfsStore over a Kubo daemon's RPC API (kubo-rpc-client). Calls made, all POST:
 * `/api/v0/add`, `/api/v0/block/get`, `/api/v0/block/stat`.
 *
 * Reads deliberately do not use `/api/v0/cat`: it streams file bytes with nothing to check them
 * against. Instead blocks are fetched with `block/get` and each is hashed against its CID, the
 * same rule the embedded store follows — a misbehaving or compromised daemon cannot hand us
 * altered proofs.
 */

export interface KuboStoreOptions {
  /** Kubo RPC address, e.g. `http://127.0.0.1:5001` (`/api/v0` is appended when absent). */
  url: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }` for Kubo `API.Authorizations`. */
  headers?: Record<string, string>;
  /** Per-request timeout; Kubo otherwise waits indefinitely for blocks it must find on the network. */
  timeoutMs?: number;
}

/** Kubo's answer for a block it does not have (offline) or could not find. */
const NOT_FOUND = /not found|could not find|no such block/i;

/** `fetch` refuses URLs with credentials; move `user:pass@` into a Basic authorization header. */
function splitCredentials(url: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers };
  const basic = Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64');
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), headers: { authorization: `Basic ${basic}`, ...headers } };
}

export class KuboIpfsStore implements IpfsStore {
  readonly backend = 'kubo' as const;
  private readonly client: () => Promise<KuboRPCClient>;

  constructor(options: KuboStoreOptions) {
    const { url, headers } = splitCredentials(options.url, options.headers ?? {});
    let client: Promise<KuboRPCClient> | undefined;
    // kubo-rpc-client takes ~0.5 s to import; only coordinators and workers that use Kubo pay it, on first use.
    this.client = () => (client ??= import('kubo-rpc-client').then(({ create }) => create({ url, headers, timeout: options.timeoutMs ?? 120_000 })));
  }

  async add(content: ImportContent, options: { cidVersion?: CidVersion } = {}): Promise<string> {
    const cidVersion = options.cidVersion ?? 1;
    // Every DAG-shaping flag is sent explicitly so the daemon's own `Import.*` config (or a newer
    // default profile) cannot change the CID. Unknown flags are ignored by older daemons.
    const flags: AddOptions & { maxFileLinks: number } = {
      cidVersion,
      rawLeaves: cidVersion === 1,
      chunker: `size-${KUBO_CHUNK_SIZE}`,
      maxFileLinks: KUBO_MAX_LINKS,
      hashAlg: 'sha2-256',
      trickle: false,
      pin: true,
    };
    const uploaded = (await this.client()).add({ content }, flags);
    if (!(content instanceof Uint8Array)) return (await uploaded).cid.toString();
    // With the bytes at hand, double-check the daemon: a CID that differs from the Kubo default
    // profile would fail every auditor's "CID ↔ bytes" check later.
    const [result, expected] = await Promise.all([uploaded, cidForBytes(content, { cidVersion })]);
    const got = result.cid.toString();
    if (got !== expected) throw new CidMismatchError(expected, got, 'Kubo daemon imported with non-default settings');
    return got;
  }

  async getBlock(cidLike: CID | string): Promise<Uint8Array> {
    const cid = parseCid(cidLike);
    const inline = identityBlock(cid);
    if (inline !== undefined) return inline;
    let bytes: Uint8Array;
    try {
      bytes = await (await this.client()).block.get(cid);
    } catch (err) {
      if (err instanceof Error && NOT_FOUND.test(err.message)) throw new BlockNotFoundError(cid.toString(), err.message);
      throw err;
    }
    await verifyBlock(cid, bytes);
    return bytes;
  }

  async hasBlock(cidLike: CID | string): Promise<boolean> {
    const cid = parseCid(cidLike);
    if (identityBlock(cid) !== undefined) return true;
    try {
      // `offline` (a Kubo global option) answers from the local repo instead of searching the
      // network, so a miss is immediate.
      await (await this.client()).block.stat(cid, { offline: true } as Parameters<KuboRPCClient['block']['stat']>[1]);
      return true;
    } catch (err) {
      if (err instanceof Error && NOT_FOUND.test(err.message)) return false;
      throw err;
    }
  }

  async cat(cid: CID | string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    return catFromBlocks((c) => this.getBlock(c), parseCid(cid), options);
  }

  exportCar(cid: CID | string, options: WalkOptions = {}): AsyncIterable<Uint8Array> {
    return exportCarFromBlocks((c) => this.getBlock(c), cid, options);
  }
}
