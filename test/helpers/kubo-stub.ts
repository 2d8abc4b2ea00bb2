import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importer, type ImporterOptions } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';

/**
 * A local HTTP server that follows the Kubo RPC protocol (docs.ipfs.tech/reference/kubo/rpc,
 * ipfs-signing.md §2.3–§2.4) for the calls our Kubo backend makes through kubo-rpc-client:
 *
 *   POST /api/v0/add        multipart `file` parts; query flags cid-version, raw-leaves, chunker,
 *                           max-file-links, hash, trickle, pin…; replies ndjson {Name, Hash, Size}
 *   POST /api/v0/block/get  ?arg=<cid>   → the raw block bytes
 *   POST /api/v0/block/stat ?arg=<cid>   → {Key, Size}
 *   POST /api/v0/version                 → {Version, …}
 *
 * As in Kubo: every command is POST (anything else is 405), an unknown command is 404, command
 * errors are 500 with a JSON {Message, Code, Type} body, unknown query flags are ignored, and CIDv1
 * implies raw leaves unless `raw-leaves` says otherwise. Blocks are kept by multihash, as Kubo's
 * blockstore does, so CIDv0 and CIDv1 spellings find the same block.
 *
 * It deliberately uses ipfs-unixfs-importer directly with options built from the query (not the
 * project's own option sets), so it is an independent party in the tests.
 */

export interface StubRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  /** For multipart bodies: each part's field name, filename and content type. */
  parts: Array<{ name: string; filename: string; type: string; bytes: number }>;
}

export interface KuboStubOptions {
  /** When set, requests must carry exactly this Authorization header (Kubo API.Authorizations). */
  authorization?: string;
  /**
   * Importer options applied over the request's: simulates a daemon whose `Import.*` config or
   * version produces different DAGs than the flags ask for.
   */
  forceImport?: Partial<ImporterOptions>;
}

export interface KuboStub {
  url: string;
  requests: StubRequest[];
  /** Flips one byte of a stored block (the daemon's repo was corrupted or it lies). */
  tamper(cid: string): void;
  /** Forgets a block. */
  drop(cid: string): void;
  hasBlock(cid: string): boolean;
  close(): Promise<void>;
}

const notFound = (cid: string) => `block was not found locally (offline): ipld: could not find ${cid}`;

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { Message: message, Code: 0, Type: 'error' });
}

function bool(value: string | null, fallback: boolean): boolean {
  return value === null ? fallback : value === 'true' || value === '';
}

/** Kubo's add flags → importer options (Kubo semantics: CIDv1 implies raw leaves). */
function importerOptionsFromQuery(q: URLSearchParams): ImporterOptions {
  const cidVersion = Number(q.get('cid-version') ?? '0');
  if (cidVersion !== 0 && cidVersion !== 1) throw new Error(`unknown CID version ${cidVersion}`);
  const hash = q.get('hash') ?? 'sha2-256';
  if (hash !== 'sha2-256') throw new Error(`stub supports only sha2-256, got ${hash}`);
  if (bool(q.get('trickle'), false)) throw new Error('stub does not implement the trickle layout');
  const chunker = /^size-(\d+)$/.exec(q.get('chunker') ?? 'size-262144');
  if (chunker === null) throw new Error('stub supports only the size-N chunker');
  return {
    cidVersion,
    rawLeaves: bool(q.get('raw-leaves'), cidVersion === 1),
    leafType: 'file',
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: Number(chunker[1]) }),
    layout: balanced({ maxChildrenPerNode: Number(q.get('max-file-links') ?? '174') }),
    wrapWithDirectory: false,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startKuboStub(options: KuboStubOptions = {}): Promise<KuboStub> {
  const blocks = new Map<string, Uint8Array>(); // multihash (base64) → bytes
  const requests: StubRequest[] = [];
  const keyOf = (cid: CID) => Buffer.from(cid.multihash.bytes).toString('base64');

  function argCid(q: URLSearchParams): CID {
    const arg = q.get('arg');
    if (arg === null) throw new Error('argument "cid" is required');
    return CID.parse(arg.replace(/^\/ipfs\//, ''));
  }

  async function add(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, log: StubRequest): Promise<void> {
    const body = await readBody(req);
    // undici's multipart parser, the same one fetch uses.
    const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const lines: string[] = [];
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') throw new Error(`part ${name} is not a file`);
      const bytes = new Uint8Array(await value.arrayBuffer());
      log.parts.push({ name, filename: value.name, type: value.type, bytes: bytes.byteLength });
      let size = 0;
      let root: CID | undefined;
      const sink = {
        put: (cid: CID, block: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>) => {
          const b = block as Uint8Array;
          size += b.byteLength;
          if (!bool(q.get('only-hash'), false)) blocks.set(keyOf(cid), b);
          return cid;
        },
      };
      for await (const entry of importer([{ content: bytes }], sink, { ...importerOptionsFromQuery(q), ...options.forceImport })) root = entry.cid;
      const hash = root!.toString();
      // Unnamed content: Kubo reports the hash as the name.
      lines.push(JSON.stringify({ Name: value.name === '' || value.name === 'blob' ? hash : decodeURIComponent(value.name), Hash: hash, Size: String(size) }));
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-chunked-output': '1' });
    res.end(lines.map((l) => `${l}\n`).join(''));
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const log: StubRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: {},
      headers: { ...req.headers },
      contentType: req.headers['content-type'],
      parts: [],
    };
    for (const key of new Set(url.searchParams.keys())) log.query[key] = url.searchParams.getAll(key);
    requests.push(log);

    const run = async (): Promise<void> => {
      if (req.method !== 'POST') return sendError(res, 405, `${req.method} is not allowed, use POST`);
      if (options.authorization !== undefined && req.headers.authorization !== options.authorization) {
        return sendError(res, 403, 'unauthorized');
      }
      const q = url.searchParams;
      switch (url.pathname) {
        case '/api/v0/add':
          return add(req, res, q, log);
        case '/api/v0/block/get': {
          const cid = argCid(q);
          const block = blocks.get(keyOf(cid));
          if (block === undefined) return sendError(res, 500, notFound(cid.toString()));
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': block.byteLength });
          res.end(block);
          return;
        }
        case '/api/v0/block/stat': {
          const cid = argCid(q);
          const block = blocks.get(keyOf(cid));
          if (block === undefined) return sendError(res, 500, notFound(cid.toString()));
          return sendJson(res, 200, { Key: cid.toString(), Size: block.byteLength });
        }
        case '/api/v0/version':
          return sendJson(res, 200, { Version: '0.0.0-stub', Commit: '', Repo: '16', System: 'stub', Golang: '' });
        default:
          return sendError(res, 404, `unknown command ${url.pathname}`);
      }
    };
    run().catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, (err as Error).message);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tamper(cid) {
      const key = keyOf(CID.parse(cid));
      const block = blocks.get(key);
      if (block === undefined) throw new Error(`stub has no block ${cid}`);
      const altered = block.slice();
      altered[altered.byteLength >> 1]! ^= 0xff;
      blocks.set(key, altered);
    },
    drop(cid) {
      blocks.delete(keyOf(CID.parse(cid)));
    },
    hasBlock: (cid) => blocks.has(keyOf(CID.parse(cid))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
