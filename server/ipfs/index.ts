import type { Database } from 'better-sqlite3';
import { KuboIpfsStore, type KuboStoreOptions } from './kubo-store.js';
import { SqliteIpfsStore } from './sqlite-store.js';
import type { IpfsStore } from './store.js';

/**
 * Public entry of the IPFS domain: pick the backend (DESIGN §8). With a Kubo RPC address the
 * daemon stores and serves blocks; otherwise blocks go to the coordinator's own SQLite file.
 */

export type { IpfsStore } from './store.js';
export { SqliteIpfsStore } from './sqlite-store.js';
export { KuboIpfsStore, type KuboStoreOptions } from './kubo-store.js';
export { handleIpfsGatewayRequest } from './gateway.js';
export { ipfsAddFile, ipfsCat } from './commands.js';

export interface CreateIpfsStoreOptions {
  /** The coordinator's database; must contain the `blocks` table. */
  db: Database;
  /** Kubo RPC address (`IPFS_API_URL`); unset or empty means the embedded store. */
  ipfsApiUrl?: string | undefined;
  /** Extra options for the Kubo backend (auth headers, timeout). */
  kubo?: Omit<KuboStoreOptions, 'url'>;
}

export function createIpfsStore(options: CreateIpfsStoreOptions): IpfsStore {
  const url = options.ipfsApiUrl?.trim();
  if (url !== undefined && url !== '') return new KuboIpfsStore({ ...options.kubo, url });
  return new SqliteIpfsStore(options.db);
}

/** `IPFS_API_URL` from the environment, or undefined when unset/blank. */
export function ipfsApiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.IPFS_API_URL?.trim();
  return value === undefined || value === '' ? undefined : value;
}
