import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CID } from 'multiformats/cid';
import { parseCid } from '../../shared/cid.js';
import { IpfsError } from '../../shared/ipfs/errors.js';
import { sniffContentType } from './content-type.js';
import {
  CAR_TYPE,
  contentDisposition,
  GatewayRequestError,
  RAW_TYPE,
  resolveFormat,
  type ResponseFormat,
} from './gateway-request.js';
import type { IpfsStore } from './store.js';

/**
 * Read-only `GET|HEAD /ipfs/{cid}` (DESIGN §8): the trustless-gateway subset — a raw block
 * (`application/vnd.ipld.raw`) or a CAR of the whole DAG (`application/vnd.ipld.car`), chosen by
 * `?format=` or `Accept` — plus the file's plain bytes for browsers.
 */

/** `/ipfs/` content never changes: cache for a year (Kubo and the path-gateway spec). */
const IMMUTABLE = 'public, max-age=29030400, immutable';

function sendText(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Weak comparison per RFC 9110 §13.1.2, which is what If-None-Match uses. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

function etagFor(cid: CID, format: ResponseFormat): string {
  const id = cid.toString();
  switch (format.kind) {
    case 'raw':
      return `"${id}.raw"`;
    case 'car':
      // Weak: CAR bytes are not canonical across gateways. Scope and dups change the body, so
      // they are part of the tag (the spec requires the dag-scope to be).
      return `W/"${id}.car.dfs.${format.dups ? 'y' : 'n'}.${format.scopeParam}"`;
    case 'plain':
      return `"${id}"`;
  }
}

function commonHeaders(cid: CID, etag: string, vary: boolean): Record<string, string> {
  return {
    etag,
    'cache-control': IMMUTABLE,
    'x-ipfs-path': `/ipfs/${cid.toString()}`,
    'x-ipfs-roots': cid.toString(),
    'x-content-type-options': 'nosniff',
    ...(vary ? { vary: 'Accept' } : {}),
  };
}

/**
 * Store errors → statuses: a missing block (root or child) → 404; content we do not deserialize
 * (a directory, an unknown codec) → 501; anything else, including a stored block that fails
 * verification, is a genuine server fault → 500.
 */
function statusForError(err: unknown): number {
  if (err instanceof IpfsError) {
    switch (err.code) {
      case 'BLOCK_NOT_FOUND':
        return 404;
      case 'UNIXFS_INVALID':
      case 'UNSUPPORTED':
        return 501;
      default:
        return 500;
    }
  }
  return 500;
}

/** Waits for the socket to take more data; a client that went away also ends the wait. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function sendCar(res: ServerResponse, store: IpfsStore, cid: CID, format: Extract<ResponseFormat, { kind: 'car' }>, headers: Record<string, string>): Promise<void> {
  const chunks = store.exportCar(cid, { scope: format.scope, dups: format.dups })[Symbol.asyncIterator]();
  // The first chunk exists only once the root block was read, so a missing root is still a 404.
  const first = await chunks.next();
  res.writeHead(200, {
    ...headers,
    'content-type': `${CAR_TYPE}; version=1; order=dfs; dups=${format.dups ? 'y' : 'n'}`,
    'content-disposition': contentDisposition('attachment', `${cid.toString()}.car`),
  });
  if (res.req.method === 'HEAD') {
    await chunks.return?.();
    res.end();
    return;
  }
  try {
    for (let next = first; next.done !== true; next = await chunks.next()) {
      if (!res.write(next.value)) await drainOrClose(res);
      if (res.destroyed) {
        await chunks.return?.();
        return;
      }
    }
    res.end();
  } catch (err) {
    // 200 is already on the wire: per spec, cut the stream so the client sees an incomplete CAR.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Handles `/ipfs/...`; returns false (touching nothing) for any other path so the caller's
 * dispatcher can continue.
 */
export async function handleIpfsGatewayRequest(req: IncomingMessage, res: ServerResponse, store: IpfsStore): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  if (url.pathname !== '/ipfs' && !url.pathname.startsWith('/ipfs/')) return false;

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed: /ipfs/ is read-only (GET, HEAD)', { allow: 'GET, HEAD' });
    return true;
  }

  const [cidText = '', ...rest] = url.pathname.slice('/ipfs/'.length).split('/');
  if (rest.some((segment) => segment !== '')) {
    sendText(res, 400, 'paths inside a DAG are not supported; request /ipfs/{cid}');
    return true;
  }
  let cid: CID;
  try {
    cid = parseCid(decodeURIComponent(cidText));
  } catch {
    sendText(res, 400, `invalid CID: ${JSON.stringify(cidText.slice(0, 120))}`);
    return true;
  }

  let format: ResponseFormat & { fromQuery: boolean };
  try {
    format = resolveFormat(url.searchParams, req.headers.accept);
  } catch (err) {
    if (err instanceof GatewayRequestError) {
      sendText(res, err.status, err.message);
      return true;
    }
    throw err;
  }

  const etag = etagFor(cid, format);
  const headers = commonHeaders(cid, etag, !format.fromQuery);
  if (!format.fromQuery && format.kind !== 'plain') {
    // The spec asks for Content-Location when the format came from Accept only.
    headers['content-location'] = `/ipfs/${cid.toString()}?format=${format.kind}`;
  }

  try {
    // Non-recursive gateway: only local blocks. `only-if-cached` asks for 412 instead of 404.
    if (!(await store.hasBlock(cid))) {
      const onlyIfCached = /\bonly-if-cached\b/i.test(req.headers['cache-control'] ?? '');
      sendText(res, onlyIfCached ? 412 : 404, `${cid.toString()} not found on this node`);
      return true;
    }
    if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }

    if (format.kind === 'car') {
      await sendCar(res, store, cid, format, headers);
      return true;
    }

    const body = format.kind === 'raw' ? await store.getBlock(cid) : await store.cat(cid);
    const filename = url.searchParams.get('filename');
    res.writeHead(200, {
      ...headers,
      ...(format.kind === 'raw'
        ? {
            'content-type': RAW_TYPE,
            'content-disposition': contentDisposition('attachment', filename ?? `${cid.toString()}.bin`),
          }
        : {
            'content-type': sniffContentType(body),
            // Bytes anyone can publish, served on the dashboard's origin: no script may run.
            'content-security-policy': 'sandbox',
            ...(filename !== null
              ? { 'content-disposition': contentDisposition(url.searchParams.get('download') === 'true' ? 'attachment' : 'inline', filename) }
              : {}),
          }),
      'content-length': String(body.byteLength),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  } catch (err) {
    if (res.headersSent) {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
      return true;
    }
    const status = statusForError(err);
    sendText(res, status, status === 500 ? `internal error reading ${cid.toString()}: ${(err as Error).message}` : (err as Error).message);
    return true;
  }
}
