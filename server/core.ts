import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Db } from './db/open.js';
import type { EventBus } from './events/event-bus.js';
import type { GroupCommit } from './db/group-commit.js';
import type { QueueConfig } from './queue/queue-config.js';
import type { AuthConfig } from './auth/auth-config.js';
import type { IpfsStore } from './ipfs/store.js';
import type { Keypair } from '../shared/keypair.js';
import type { SwarmApi } from './swarm-api/swarm-api-config.js';
import type { RoundsConfig } from './rounds/rounds-config.js';

/** What every domain function needs: the store, the event bus, configuration and a logger. */
export interface Core {
  db: Db;
  sqlite: Database.Database;
  bus: EventBus;
  /** Runs state changes of concurrent calls in one transaction (see GroupCommit). */
  writer: GroupCommit;
  queue: QueueConfig;
  auth: AuthConfig;
  rounds: RoundsConfig;
  ipfs: IpfsStore;
  /** Signs distribution lists; kept as `coordinator-key.json` in the data dir. */
  coordinatorKey: Keypair;
  /** Model providers and the response cache of the swarm API. */
  swarmApi: SwarmApi;
  log: Logger;
}
