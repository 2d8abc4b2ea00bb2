import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { generateKeypair, readKeypairFile, writeKeypairFile, type Keypair } from '../shared/keypair.js';
import { openDb } from './db/open.js';
import { EventBus } from './events/event-bus.js';
import { GroupCommit } from './db/group-commit.js';
import { databaseFile, type ServerConfig } from './config.js';
import { createIpfsStore, ipfsApiUrlFromEnv } from './ipfs/index.js';
import { createProviderRegistry } from './llm/index.js';
import { ResponseCache } from './swarm-api/response-cache.js';
import { swarmApiBudget } from './swarm-api/swarm-api-config.js';
import { recordedRoundClock } from './rounds/round-clock.js';
import type { Core } from './core.js';

function loadOrCreateCoordinatorKey(file: string): Keypair {
  if (existsSync(file)) return readKeypairFile(file);
  const keypair = generateKeypair();
  try {
    writeKeypairFile(file, keypair);
  } catch (error) {
    // Another process (CLI beside the server) created it first: use theirs.
    if (existsSync(file)) return readKeypairFile(file);
    throw error;
  }
  return keypair;
}

export interface OpenCoreOptions {
  /**
   * `config` (the coordinator): rounds are timed by config.roundMs / roundEpochMs.
   * `recorded` (readers of a data dir that run no rounds, like the CLI): rounds are timed as the
   * coordinator that last wrote one timed them, since its round length is its own option.
   */
  roundClock?: 'config' | 'recorded';
}

/** Opens the store (running migrations) and assembles what domain functions need. */
export function openCore(config: ServerConfig, log: Logger, options: OpenCoreOptions = {}): Core & { close(): void } {
  const { db, sqlite, close } = openDb({ file: databaseFile(config), synchronous: config.synchronous });
  const clock = (options.roundClock === 'recorded' ? recordedRoundClock(sqlite) : null) ?? { epochMs: config.roundEpochMs, roundMs: config.roundMs };
  const bus = new EventBus(sqlite);
  return {
    db,
    sqlite,
    bus,
    writer: new GroupCommit(sqlite, () => bus.notify()),
    log,
    queue: {
      taskId: config.taskId,
      leaseMs: config.leaseMs,
      maxAttempts: config.maxAttempts,
      defaultReward: config.defaultReward,
      retryDelayMs: config.retryDelayMs,
      retryDelayMaxMs: config.retryDelayMaxMs,
    },
    auth: { taskId: config.taskId, signatureWindowMs: config.signatureWindowMs, minStake: config.minStake },
    rounds: {
      ...clock,
      auditQuorum: config.auditQuorum,
      auditTimeoutMs: config.auditTimeoutMs,
      bountyCap: config.roundBountyCap,
      slashFraction: config.slashFraction,
    },
    ipfs: createIpfsStore({ db: sqlite, ipfsApiUrl: ipfsApiUrlFromEnv() }),
    coordinatorKey: loadOrCreateCoordinatorKey(resolve(config.dataDir, 'coordinator-key.json')),
    swarmApi: {
      providers: createProviderRegistry({ env: process.env, ...(config.modelMap !== undefined ? { modelMap: config.modelMap } : {}) }),
      cache: new ResponseCache(config.cacheTtlSeconds * 1000, config.cacheMaxEntries),
      runTimeoutMs: config.swarmRunTimeoutMs,
      budget: swarmApiBudget(config),
    },
    close: () => {
      bus.stopPolling();
      close();
    },
  };
}
