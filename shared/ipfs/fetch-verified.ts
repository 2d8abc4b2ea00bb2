import type { CID } from 'multiformats/cid';
import { parseCid, verifyBlock, identityBlock } from '../cid.js';
import { CAR_MEDIA_TYPE, decodeCar } from './car.js';
import { BlockNotFoundError, CarFormatError, GatewayHttpError } from './errors.js';
import { readUnixfsFileBytes } from './unixfs-read.js';

/**
 * Verifying remote reader over any IPFS trustless gateway (ours at `/ipfs/{cid}`, or a public
 * one). The gateway is not trusted: every block is re-hashed against its CID, the file is
 * reassembled only from verified blocks starting at the requested root (CAR `roots` are ignored,
 * as the spec says clients must), and a CAR missing any needed block is an error.
 */

export const RAW_MEDIA_TYPE = 'application/vnd.ipld.raw';

/** Per the trustless-gateway spec, clients SHOULD cap blocks at 2 MiB. */
const DEFAULT_MAX_BLOCK_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

export interface FetchVerifiedOptions {
  /** `car` (default): one request for the whole DAG; `blocks`: one raw-block request per block. */
  mode?: 'car' | 'blocks';
  /** Largest file accepted, in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Largest single block accepted (default 2 MiB). */
  maxBlockBytes?: number;
  /** Abort after this long overall (default 60 s), unless `signal` is given. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Injected fetch, e.g. for a custom agent. Defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

function gatewayUrl(base: string, cid: CID, format: 'car' | 'raw'): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  const url = new URL(`ipfs/${cid.toString()}`, root);
  url.searchParams.set('format', format);
  if (format === 'car') url.searchParams.set('dag-scope', 'all');
  return url.toString();
}

/** GET with the given Accept; anything but a 200 of that media type is an error. */
async function request(url: string, cid: CID, accept: string, fetchFn: typeof globalThis.fetch, signal: AbortSignal): Promise<Response> {
  const res = await fetchFn(url, { headers: { accept }, signal });
  if (res.status === 404) {
    await res.body?.cancel();
    throw new BlockNotFoundError(cid.toString(), `gateway ${url} answered 404`);
  }
  if (res.status !== 200) {
    throw new GatewayHttpError(res.status, url, await res.text().catch(() => ''));
  }
  const type = res.headers.get('content-type') ?? '';
  const want = accept.split(';')[0]!;
  if (!type.toLowerCase().startsWith(want)) {
    // E.g. a plain (non-trustless) gateway answering with deserialized bytes or HTML.
    await res.body?.cancel();
    throw new GatewayHttpError(res.status, url, `expected ${want}, got content-type ${JSON.stringify(type)}`);
  }
  return res;
}

/** One raw block from the gateway, verified against `cid`. */
export async function fetchVerifiedBlock(
  gatewayBaseUrl: string,
  cid: CID | string,
  options: FetchVerifiedOptions = {},
): Promise<Uint8Array> {
  const root = parseCid(cid);
  const inline = identityBlock(root);
  if (inline !== undefined) return inline;
  const signal = options.signal ?? AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const res = await request(gatewayUrl(gatewayBaseUrl, root, 'raw'), root, RAW_MEDIA_TYPE, fetchFn, signal);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await verifyBlock(root, bytes, { maxBytes: options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES });
  return bytes;
}

/** Fetches a whole CAR, verifying every block as it arrives; returns blocks keyed by CIDv1. */
async function fetchCarBlocks(
  gatewayBaseUrl: string,
  root: CID,
  options: FetchVerifiedOptions,
  signal: AbortSignal,
): Promise<Map<string, Uint8Array>> {
  const url = gatewayUrl(gatewayBaseUrl, root, 'car');
  const accept = `${CAR_MEDIA_TYPE}; version=1; order=dfs; dups=n`;
  const res = await request(url, root, accept, options.fetch ?? globalThis.fetch, signal);
  if (res.body === null) throw new CarFormatError('response has no body');
  const maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  // DAG overhead over the file bytes is small; this only bounds memory against a hostile gateway.
  const maxCarBytes = 2 * (options.maxBytes ?? DEFAULT_MAX_BYTES) + maxBlockBytes;
  const car = await decodeCar(res.body as AsyncIterable<Uint8Array>, { maxBlockBytes });
  const blocks = new Map<string, Uint8Array>();
  let total = 0;
  try {
    for await (const { cid, bytes } of car.blocks) {
      await verifyBlock(cid, bytes, { maxBytes: maxBlockBytes });
      total += bytes.byteLength;
      if (total > maxCarBytes) throw new CarFormatError(`CAR exceeds ${maxCarBytes} bytes`);
      // CIDv0 and its CIDv1 form name the same block; key by v1 so either spelling finds it.
      blocks.set(cid.toV1().toString(), bytes);
    }
  } catch (err) {
    await res.body.cancel().catch(() => {});
    // A connection cut mid-body surfaces as a fetch TypeError; to callers it is a truncated CAR.
    if (err instanceof TypeError) throw new CarFormatError(`stream broke off (${err.message})`);
    throw err;
  }
  return blocks;
}

/**
 * Fetches the UnixFS file `cid` from a trustless gateway and returns its bytes, verified.
 * Throws BlockVerificationError (tampered block), CarFormatError (truncated/incomplete CAR),
 * BlockNotFoundError (404), GatewayHttpError (other statuses) or UnixfsFormatError.
 */
export async function fetchVerified(
  gatewayBaseUrl: string,
  cid: CID | string,
  options: FetchVerifiedOptions = {},
): Promise<Uint8Array> {
  const root = parseCid(cid);
  const signal = options.signal ?? AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const readOptions = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };

  if (options.mode === 'blocks') {
    return readUnixfsFileBytes(root, (c) => fetchVerifiedBlock(gatewayBaseUrl, c, { ...options, signal }), readOptions);
  }

  const blocks = identityBlock(root) !== undefined ? new Map<string, Uint8Array>() : await fetchCarBlocks(gatewayBaseUrl, root, options, signal);
  return readUnixfsFileBytes(
    root,
    async (c) => {
      const inline = identityBlock(c);
      if (inline !== undefined) return inline;
      const bytes = blocks.get(c.toV1().toString());
      if (bytes === undefined) throw new CarFormatError(`incomplete CAR: block ${c.toString()} under ${root.toString()} is missing`);
      return bytes;
    },
    readOptions,
  );
}
