import { createCipheriv, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Kubo's deterministic test data (`DeterministicRandomReaderBytes(size, seed)` in
 * test/cli/testutils/random_deterministic.go): the ChaCha20 keystream with key = sha256(seed),
 * zero nonce, counter 0. OpenSSL's chacha20 IV is counter ‖ nonce, so an all-zero IV is the same.
 */
function keystream(seed: string) {
  return createCipheriv('chacha20', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
}

export function detRandom(size: number, seed: string): Uint8Array {
  return new Uint8Array(keystream(seed).update(Buffer.alloc(size)));
}

/** Same bytes as `detRandom`, streamed in 1 MiB chunks (for the GiB-sized vectors). */
export async function* detRandomStream(size: number, seed: string): AsyncGenerator<Uint8Array> {
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = size; left > 0; left -= zeros.length) {
    yield new Uint8Array(cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left)));
  }
}

/** The `blocks` table exactly as server/db/schema.ts declares it. */
export const BLOCKS_DDL =
  'CREATE TABLE blocks (cid TEXT PRIMARY KEY, data BLOB NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL)';

export interface TempDb {
  db: Database.Database;
  dir: string;
  close(): void;
}

/** A file-backed SQLite database in a fresh temp dir, WAL like the coordinator's. */
export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'swarmtask-ipfs-'));
  const db = new Database(join(dir, 'test.db'));
  db.pragma('journal_mode = WAL');
  db.exec(BLOCKS_DDL);
  return {
    db,
    dir,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1, ephemeral port. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<RunningServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
