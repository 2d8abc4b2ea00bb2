import type { Logger } from 'pino';
import { openDb } from './db/open.js';
import { EventBus } from './events/event-bus.js';
import { databaseFile, type ServerConfig } from './config.js';
import { createIpfsStore, ipfsApiUrlFromEnv } from './ipfs/index.js';
import type { Core } from './core.js';

/** Opens the store (running migrations) and assembles what domain functions need. */
export function openCore(config: ServerConfig, log: Logger): Core & { close(): void } {
  const { db, sqlite, close } = openDb({ file: databaseFile(config), synchronous: config.synchronous });
  const bus = new EventBus(sqlite);
  return {
    db,
    sqlite,
    bus,
    log,
    queue: {
      taskId: config.taskId,
      leaseMs: config.leaseMs,
      maxAttempts: config.maxAttempts,
      defaultReward: config.defaultReward,
    },
    auth: { taskId: config.taskId, signatureWindowMs: config.signatureWindowMs, minStake: config.minStake },
    rounds: {
      epochMs: config.roundEpochMs,
      roundMs: config.roundMs,
      auditQuorum: config.auditQuorum,
      auditTimeoutMs: config.auditTimeoutMs,
      bountyCap: config.roundBountyCap,
      slashFraction: config.slashFraction,
    },
    ipfs: createIpfsStore({ db: sqlite, ipfsApiUrl: ipfsApiUrlFromEnv() }),
    close: () => {
      bus.stopPolling();
      close();
    },
  };
}
