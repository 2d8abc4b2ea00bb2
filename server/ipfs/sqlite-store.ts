import type { Database, Statement } from 'better-sqlite3';
import type { CID } from 'multiformats/cid';
import { identityBlock, parseCid, verifyBlock, type CidVersion } from '../../shared/cid.js';
import type { WalkOptions } from '../../shared/ipfs/dag.js';
import { BlockNotFoundError } from '../../shared/ipfs/errors.js';
import { importFile, type ImportContent } from '../../shared/ipfs/unixfs-import.js';
import { catFromBlocks, exportCarFromBlocks } from './block-reads.js';
import type { IpfsStore } from './store.js';

/**
 * Embedded block store: blocks live in the coordinator's SQLite file, table `blocks`
 * (server/db/schema.ts). Files are imported with the Kubo option sets, so CIDs equal `ipfs add`.
 *
 * Row key: the block's CIDv1 string. A CIDv0 and its CIDv1 form name the same block, so
 * normalising means either spelling finds it and a block is stored once.
 */

interface BlockRow {
  data: Buffer;
}

export function blockKey(cid: CID): string {
  return cid.toV1().toString();
}

export class SqliteIpfsStore implements IpfsStore {
  readonly backend = 'embedded' as const;
  private readonly getStmt: Statement<[string], BlockRow>;
  private readonly hasStmt: Statement<[string], { one: number }>;
  private readonly putStmt: Statement<[string, Buffer, number, number]>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.getStmt = db.prepare<[string], BlockRow>('SELECT data FROM blocks WHERE cid = ?');
    this.hasStmt = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM blocks WHERE cid = ?');
    // Content-addressed: an existing row already holds these exact bytes.
    this.putStmt = db.prepare<[string, Buffer, number, number]>(
      'INSERT OR IGNORE INTO blocks (cid, data, size, created_at) VALUES (?, ?, ?, ?)',
    );
  }

  async add(content: ImportContent, options: { cidVersion?: CidVersion } = {}): Promise<string> {
    const root = await importFile(content, options.cidVersion ?? 1, {
      // The importer hands over each block once it is final, children before parents, so the
      // root row is written last and its presence implies the whole DAG is stored.
      put: (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>) => {
        if (!(bytes instanceof Uint8Array)) throw new Error('importer produced a streamed block');
        this.putStmt.run(blockKey(cid), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength, this.now());
        return cid;
      },
    });
    return root.toString();
  }

  async getBlock(cidLike: CID | string): Promise<Uint8Array> {
    const cid = parseCid(cidLike);
    const inline = identityBlock(cid);
    if (inline !== undefined) return inline;
    const row = this.getStmt.get(blockKey(cid));
    if (row === undefined) throw new BlockNotFoundError(cid.toString());
    const bytes = new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
    // The database file is outside our control once written; re-hash on every read.
    await verifyBlock(cid, bytes);
    return bytes;
  }

  async hasBlock(cidLike: CID | string): Promise<boolean> {
    const cid = parseCid(cidLike);
    if (identityBlock(cid) !== undefined) return true;
    return this.hasStmt.get(blockKey(cid)) !== undefined;
  }

  async cat(cid: CID | string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    return catFromBlocks((c) => this.getBlock(c), parseCid(cid), options);
  }

  exportCar(cid: CID | string, options: WalkOptions = {}): AsyncIterable<Uint8Array> {
    return exportCarFromBlocks((c) => this.getBlock(c), cid, options);
  }
}
