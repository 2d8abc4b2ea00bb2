/**
 * Parsing of a `/ipfs/{cid}` request into what to send (trustless-gateway spec, ipfs-signing.md
 * §2.5): a raw block, a CAR, or deserialized bytes for browsers. Pure; the handler does I/O.
 */

export type ResponseFormat =
  | { kind: 'raw' }
  | { kind: 'car'; dups: boolean; scope: 'all' | 'block'; scopeParam: 'all' | 'entity' | 'block' }
  | { kind: 'plain' };

export class GatewayRequestError extends Error {
  constructor(
    readonly status: 400 | 406,
    message: string,
  ) {
    super(message);
  }
}

export const RAW_TYPE = 'application/vnd.ipld.raw';
export const CAR_TYPE = 'application/vnd.ipld.car';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

/** RFC 9110 §12.5.1 Accept list, highest q first (ties keep the client's order). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [];
  const ranges = header.split(',').map((part, index) => {
    const [type = '', ...rawParams] = part.split(';').map((s) => s.trim());
    const params = new Map<string, string>();
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    const q = Number(params.get('q') ?? '1');
    params.delete('q');
    return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, index };
  });
  return ranges
    .filter((r) => r.q > 0 && r.type !== '')
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ type, params, q }) => ({ type, params, q }));
}

function carFormat(query: URLSearchParams, acceptParams: Map<string, string>): ResponseFormat {
  // Query parameters take precedence over Accept parameters (spec: car-version/-order/-dups).
  const version = query.get('car-version') ?? acceptParams.get('version');
  const order = query.get('car-order') ?? acceptParams.get('order');
  const dups = query.get('car-dups') ?? acceptParams.get('dups');
  if (version !== undefined && version !== null && version !== '1') {
    throw new GatewayRequestError(400, `CAR version ${version} is not supported; only version=1`);
  }
  if (order !== undefined && order !== null && order !== 'dfs' && order !== 'unk') {
    throw new GatewayRequestError(400, `CAR order=${order} is not supported; use dfs or unk`);
  }
  if (dups !== undefined && dups !== null && dups !== 'y' && dups !== 'n') {
    throw new GatewayRequestError(400, `CAR dups=${dups} is invalid; use y or n`);
  }
  if (query.has('entity-bytes')) {
    throw new GatewayRequestError(400, 'entity-bytes is not supported by this gateway; request the whole entity');
  }
  const scopeParam = query.get('dag-scope') ?? 'all';
  if (scopeParam !== 'all' && scopeParam !== 'entity' && scopeParam !== 'block') {
    throw new GatewayRequestError(400, `dag-scope=${scopeParam} is invalid; use block, entity or all`);
  }
  // For a UnixFS file, the blocks needed to read the entity are the whole DAG.
  return { kind: 'car', dups: dups === 'y', scope: scopeParam === 'block' ? 'block' : 'all', scopeParam };
}

/** `?format=` wins over `Accept`; neither asking for raw/car means deserialized bytes. */
export function resolveFormat(query: URLSearchParams, accept: string | undefined): ResponseFormat & { fromQuery: boolean } {
  const format = query.get('format');
  if (format !== null) {
    if (format === 'raw') return { kind: 'raw', fromQuery: true };
    if (format === 'car') {
      const carAccept = parseAccept(accept).find((r) => r.type === CAR_TYPE);
      return { ...carFormat(query, carAccept?.params ?? new Map()), fromQuery: true };
    }
    throw new GatewayRequestError(400, `format=${format} is not supported; use raw or car`);
  }
  for (const range of parseAccept(accept)) {
    if (range.type === RAW_TYPE) return { kind: 'raw', fromQuery: false };
    if (range.type === CAR_TYPE) return { ...carFormat(query, range.params), fromQuery: false };
    // The client's preferred type is something else (text/html, */*…): serve the file itself.
    return { kind: 'plain', fromQuery: false };
  }
  return { kind: 'plain', fromQuery: false };
}

/** `attachment`/`inline` Content-Disposition with an ASCII fallback and the RFC 8187 UTF-8 form. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
