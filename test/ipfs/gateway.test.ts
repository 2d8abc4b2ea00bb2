import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidForBytes, parseCid, verifyBlock } from '../../shared/cid.js';
import { decodeCar, type CarBlock } from '../../shared/ipfs/car.js';
import { readUnixfsFileBytes } from '../../shared/ipfs/unixfs-read.js';
import { createIpfsStore, handleIpfsGatewayRequest, type IpfsStore } from '../../server/ipfs/index.js';
import { detRandom, listen, sha256Hex, tempDb, type RunningServer, type TempDb } from './helpers.js';

const RAW = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';
const IMMUTABLE = 'public, max-age=29030400, immutable';

let t: TempDb;
let store: IpfsStore;
let gw: RunningServer;
let fileBytes: Uint8Array;
let fileCid: string; // multi-block CIDv1
let jsonCid: string;
let absentCid: string;

beforeAll(async () => {
  t = tempDb();
  store = createIpfsStore({ db: t.db });
  gw = await listen(async (req, res) => {
    if (await handleIpfsGatewayRequest(req, res, store)) return;
    // Stand-in for the rest of the server's dispatcher.
    res.writeHead(418, { 'content-type': 'text/plain' }).end('not the gateway');
  });
  fileBytes = detRandom(700_000, 'gateway');
  fileCid = await store.add(fileBytes);
  jsonCid = await store.add(new TextEncoder().encode('{"task":"t1","round":7}'), { cidVersion: 0 });
  absentCid = await cidForBytes(new TextEncoder().encode('not stored'));
});
afterAll(async () => {
  await gw.close();
  t.close();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${gw.url}${path}`, { method, headers });

async function carBlocks(res: Response): Promise<{ roots: string[]; blocks: CarBlock[] }> {
  const car = await decodeCar(res.body as AsyncIterable<Uint8Array>);
  const blocks: CarBlock[] = [];
  for await (const block of car.blocks) {
    await verifyBlock(block.cid, block.bytes);
    blocks.push(block);
  }
  return { roots: car.roots.map(String), blocks };
}

describe('GET /ipfs/{cid} — trustless raw block', () => {
  it('returns the block for Accept: application/vnd.ipld.raw, with the spec headers', async () => {
    const res = await get(`/ipfs/${fileCid}`, { accept: RAW });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(RAW);
    expect(res.headers.get('content-disposition')).toContain(`attachment; filename="${fileCid}.bin"`);
    expect(res.headers.get('etag')).toBe(`"${fileCid}.raw"`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('x-ipfs-path')).toBe(`/ipfs/${fileCid}`);
    expect(res.headers.get('vary')).toBe('Accept');
    expect(res.headers.get('content-location')).toBe(`/ipfs/${fileCid}?format=raw`);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.byteLength);
    await verifyBlock(parseCid(fileCid), body); // "The Body hash MUST match the Multihash"
    expect(body).toEqual(await store.getBlock(fileCid));
  });

  it('honours ?format=raw, and ?format wins over Accept', async () => {
    const byQuery = await get(`/ipfs/${fileCid}?format=raw`);
    expect(byQuery.headers.get('content-type')).toBe(RAW);
    expect(byQuery.headers.get('content-location')).toBeNull();
    await byQuery.arrayBuffer();
    const conflicting = await get(`/ipfs/${fileCid}?format=car`, { accept: RAW });
    expect(conflicting.headers.get('content-type')).toMatch(/^application\/vnd\.ipld\.car;/);
    await conflicting.arrayBuffer();
  });

  it('answers the bafkqaaa probe with 200 and an empty body', async () => {
    const res = await get('/ipfs/bafkqaaa?format=raw', { accept: RAW });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const car = await get('/ipfs/bafkqaaa?format=car', { accept: CAR });
    expect(car.status).toBe(200);
    const { roots, blocks } = await carBlocks(car);
    expect(roots).toEqual(['bafkqaaa']);
    expect(blocks).toHaveLength(0); // identity blocks are never sent
  });
});

describe('GET /ipfs/{cid} — trustless CAR', () => {
  it('streams a verifiable CARv1 of the whole file, DFS, no duplicates', async () => {
    const res = await get(`/ipfs/${fileCid}`, { accept: CAR });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${CAR}; version=1; order=dfs; dups=n`);
    expect(res.headers.get('content-disposition')).toContain(`attachment; filename="${fileCid}.car"`);
    expect(res.headers.get('etag')).toBe(`W/"${fileCid}.car.dfs.n.all"`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    const { roots, blocks } = await carBlocks(res);
    expect(roots).toEqual([fileCid]);
    expect(blocks[0]!.cid.toString()).toBe(fileCid);
    expect(blocks).toHaveLength(4); // root + 3 raw leaves
    const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
    const file = await readUnixfsFileBytes(parseCid(fileCid), async (c) => byCid.get(c.toString())!);
    expect(sha256Hex(file)).toBe(sha256Hex(fileBytes));
  });

  it('supports dag-scope=block and dups=y and rejects what it cannot do', async () => {
    const block = await get(`/ipfs/${fileCid}?format=car&dag-scope=block`);
    expect(block.headers.get('etag')).toBe(`W/"${fileCid}.car.dfs.n.block"`);
    expect((await carBlocks(block)).blocks.map((b) => b.cid.toString())).toEqual([fileCid]);

    const dups = await get(`/ipfs/${fileCid}`, { accept: `${CAR}; version=1; order=dfs; dups=y` });
    expect(dups.headers.get('content-type')).toBe(`${CAR}; version=1; order=dfs; dups=y`);
    await dups.arrayBuffer();

    for (const bad of ['?format=car&car-version=2', '?format=car&dag-scope=everything', '?format=car&entity-bytes=0:10', '?format=car&car-order=random']) {
      const res = await get(`/ipfs/${fileCid}${bad}`);
      expect(res.status, bad).toBe(400);
      await res.text();
    }
    const v2 = await get(`/ipfs/${fileCid}`, { accept: `${CAR}; version=2` });
    expect(v2.status).toBe(400);
    await v2.text();
  });
});

describe('GET /ipfs/{cid} — plain bytes for browsers', () => {
  it('serves the reassembled file with a sniffed, non-executable content type', async () => {
    const res = await get(`/ipfs/${fileCid}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('etag')).toBe(`"${fileCid}"`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Number(res.headers.get('content-length'))).toBe(fileBytes.byteLength);
    expect(sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(sha256Hex(fileBytes));

    const json = await get(`/ipfs/${jsonCid}`);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.json()).toEqual({ task: 't1', round: 7 });

    const htmlCid = await store.add(new TextEncoder().encode('<html><script>alert(1)</script></html>'));
    const html = await get(`/ipfs/${htmlCid}?filename=report.html`);
    expect(html.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(html.headers.get('content-disposition')).toContain('inline; filename="report.html"');
    await html.text();
  });

  it('HEAD returns the headers without a body', async () => {
    for (const accept of [RAW, CAR, '*/*']) {
      const res = await get(`/ipfs/${fileCid}`, { accept }, 'HEAD');
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('etag')).not.toBeNull();
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await get(`/ipfs/${fileCid}?format=raw`, { 'if-none-match': `"${fileCid}.raw"` });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(`"${fileCid}.raw"`);
  });
});

describe('errors and routing', () => {
  it('404 for a CID this node does not have, in every format; 412 with only-if-cached', async () => {
    for (const accept of [RAW, CAR, '*/*']) {
      const res = await get(`/ipfs/${absentCid}`, { accept });
      expect(res.status, accept).toBe(404);
      expect(await res.text()).toContain('not found');
    }
    const cached = await get(`/ipfs/${absentCid}?format=raw`, { 'cache-control': 'only-if-cached' });
    expect(cached.status).toBe(412);
    await cached.text();
  });

  it('400 for a malformed CID, an unknown format or a path inside the DAG', async () => {
    for (const path of ['/ipfs/not-a-cid', '/ipfs/', '/ipfs/QmInvalid', `/ipfs/${fileCid}?format=tar`, `/ipfs/${fileCid}/sub/path`]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      await res.text();
    }
  });

  it('405 for methods other than GET and HEAD', async () => {
    const res = await get(`/ipfs/${fileCid}`, {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await res.text();
  });

  it('leaves every other path to the rest of the server', async () => {
    for (const path of ['/', '/ipfsx/abc', '/api/ipfs/abc', '/ipns/abc']) {
      const res = await get(path);
      expect(res.status, path).toBe(418);
      await res.text();
    }
  });
});
