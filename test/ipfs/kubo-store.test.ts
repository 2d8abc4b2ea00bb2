import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cidForBytes, parseCid, verifyBlock } from '../../shared/cid.js';
import { decodeCar } from '../../shared/ipfs/car.js';
import { BlockNotFoundError, BlockVerificationError, CidMismatchError } from '../../shared/ipfs/errors.js';
import { fetchVerified } from '../../shared/ipfs/fetch-verified.js';
import { createIpfsStore, handleIpfsGatewayRequest, ipfsApiUrlFromEnv, KuboIpfsStore, type IpfsStore } from '../../server/ipfs/index.js';
import { startKuboStub, type KuboStub, type StubRequest } from '../helpers/kubo-stub.js';
import { detRandom, listen, sha256Hex, tempDb, type TempDb } from './helpers.js';

let t: TempDb;
let stub: KuboStub;
let store: IpfsStore;

beforeAll(() => {
  t = tempDb();
});
afterAll(() => t.close());
beforeEach(async () => {
  stub = await startKuboStub();
  store = createIpfsStore({ db: t.db, ipfsApiUrl: stub.url });
});
afterEach(() => stub.close());

const calls = (path: string): StubRequest[] => stub.requests.filter((r) => r.path === path);

describe('Kubo backend (IPFS_API_URL) against a Kubo RPC stub', () => {
  it('is chosen by the factory when the API URL is set', () => {
    expect(store).toBeInstanceOf(KuboIpfsStore);
    expect(store.backend).toBe('kubo');
    expect(createIpfsStore({ db: t.db, ipfsApiUrl: '  ' }).backend).toBe('embedded');
    expect(ipfsApiUrlFromEnv({ IPFS_API_URL: ' http://127.0.0.1:5001 ' })).toBe('http://127.0.0.1:5001');
    expect(ipfsApiUrlFromEnv({})).toBeUndefined();
  });

  it.each([0, 1] as const)('adds with every DAG flag explicit and gets the Kubo CID (CIDv%i)', async (cidVersion) => {
    const bytes = detRandom(1_500_000, `kubo-add-${cidVersion}`);
    const cid = await store.add(bytes, { cidVersion });
    expect(cid).toBe(await cidForBytes(bytes, { cidVersion }));

    const [req] = calls('/api/v0/add');
    expect(req!.method).toBe('POST');
    expect(req!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(req!.parts).toEqual([{ name: 'file', filename: '', type: 'application/octet-stream', bytes: bytes.byteLength }]);
    expect(req!.query).toMatchObject({
      'stream-channels': ['true'],
      'cid-version': [String(cidVersion)],
      'raw-leaves': [String(cidVersion === 1)],
      chunker: ['size-262144'],
      'max-file-links': ['174'],
      hash: ['sha2-256'],
      trickle: ['false'],
      pin: ['true'],
      progress: ['false'],
    });
  });

  it('reads through block/get, verifying every block', async () => {
    const bytes = detRandom(1_200_000, 'kubo-cat');
    const cid = await store.add(bytes);
    stub.requests.length = 0;
    const back = await store.cat(cid);
    expect(sha256Hex(back)).toBe(sha256Hex(bytes));
    const gets = calls('/api/v0/block/get');
    expect(gets).toHaveLength(6); // root + 5 leaves, nothing read twice
    expect(gets.every((r) => r.method === 'POST' && r.query.arg?.length === 1)).toBe(true);
    expect(gets[0]!.query.arg).toEqual([cid]);

    await verifyBlock(parseCid(cid), await store.getBlock(cid));
  });

  it('hasBlock asks block/stat offline and maps the not-found error', async () => {
    const cid = await store.add(new TextEncoder().encode('present'));
    expect(await store.hasBlock(cid)).toBe(true);
    const absent = await cidForBytes(new TextEncoder().encode('absent'));
    expect(await store.hasBlock(absent)).toBe(false);
    const stats = calls('/api/v0/block/stat');
    expect(stats).toHaveLength(2);
    expect(stats.map((r) => [r.method, r.query.offline, r.query.arg])).toEqual([
      ['POST', ['true'], [cid]],
      ['POST', ['true'], [absent]],
    ]);
    await expect(store.getBlock(absent)).rejects.toThrow(BlockNotFoundError);
    await expect(store.cat(absent)).rejects.toThrow(BlockNotFoundError);
    expect(await store.hasBlock('bafkqaaa')).toBe(true);
  });

  it('rejects a block the daemon altered', async () => {
    const cid = await store.add(detRandom(600_000, 'kubo-tamper'), { cidVersion: 0 });
    const leaf = (await collectCar(store, cid))[1]!;
    stub.tamper(leaf);
    await expect(store.getBlock(leaf)).rejects.toThrow(BlockVerificationError);
    await expect(store.cat(cid)).rejects.toThrow(/hash mismatch/);
    stub.drop(leaf);
    await expect(store.cat(cid)).rejects.toThrow(BlockNotFoundError);
  });

  it('refuses a daemon that imports with other settings (CID cross-check)', async () => {
    const misconfigured = await startKuboStub({ forceImport: { rawLeaves: false } });
    try {
      const other = createIpfsStore({ db: t.db, ipfsApiUrl: misconfigured.url });
      await expect(other.add(new TextEncoder().encode('hello world'))).rejects.toThrow(CidMismatchError);
    } finally {
      await misconfigured.close();
    }
  });

  it('sends credentials from the URL or headers as Kubo API.Authorizations expects', async () => {
    const basic = `Basic ${Buffer.from('user:secret').toString('base64')}`;
    const guarded = await startKuboStub({ authorization: basic });
    try {
      const withUrlCreds = createIpfsStore({ db: t.db, ipfsApiUrl: guarded.url.replace('http://', 'http://user:secret@') });
      const bytes = new TextEncoder().encode('authorized');
      expect(await withUrlCreds.add(bytes)).toBe(await cidForBytes(bytes));
      const anonymous = createIpfsStore({ db: t.db, ipfsApiUrl: guarded.url });
      await expect(anonymous.add(bytes)).rejects.toThrow(/unauthorized/);
      const withHeader = createIpfsStore({ db: t.db, ipfsApiUrl: guarded.url, kubo: { headers: { authorization: basic } } });
      expect(await withHeader.hasBlock(await cidForBytes(bytes))).toBe(true);
    } finally {
      await guarded.close();
    }
  });

  it('backs the gateway just like the embedded store', async () => {
    const bytes = detRandom(700_000, 'kubo-gateway');
    const cid = await store.add(bytes);
    const gw = await listen(async (req, res) => {
      if (!(await handleIpfsGatewayRequest(req, res, store))) res.writeHead(404).end();
    });
    try {
      expect(sha256Hex(await fetchVerified(gw.url, cid))).toBe(sha256Hex(bytes));
      expect(sha256Hex(await fetchVerified(gw.url, cid, { mode: 'blocks' }))).toBe(sha256Hex(bytes));
      const plain = await fetch(`${gw.url}/ipfs/${cid}`);
      expect(sha256Hex(new Uint8Array(await plain.arrayBuffer()))).toBe(sha256Hex(bytes));
      const absent = await fetch(`${gw.url}/ipfs/${await cidForBytes(new TextEncoder().encode('nope'))}?format=raw`);
      expect(absent.status).toBe(404);
      await absent.text();
    } finally {
      await gw.close();
    }
  });

  it('the stub, like Kubo, only accepts POST', async () => {
    const res = await fetch(`${stub.url}/api/v0/version`);
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ Type: 'error' });
  });
});

async function collectCar(s: IpfsStore, cid: string): Promise<string[]> {
  const car = await decodeCar((async function* () { yield* s.exportCar(cid); })());
  const out: string[] = [];
  for await (const b of car.blocks) out.push(b.cid.toString());
  return out;
}
