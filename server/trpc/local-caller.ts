import type { Core } from '../core.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { appRouter } from '../routers/_app.js';
import type { Context } from './context.js';
import { createCallerFactory } from './trpc.js';

const unlimited = (label: string) => new RateLimiter({ perSecond: 0, burst: 0 }, label);

/**
 * The routers called in-process by the operator of this machine (the CLI on a data dir): the
 * same input schemas, procedures and errors as over HTTP, without an API key or rate limits,
 * since whoever can open the SQLite file already has everything an API key would grant.
 */
export function createLocalCaller(core: Core) {
  const context: Context = {
    core,
    limiters: { ip: unlimited('IP address'), stakingKey: unlimited('staking key'), apiKey: unlimited('API key') },
    limits: { maxSubscriberBufferBytes: Number.POSITIVE_INFINITY },
    transport: 'local',
    ip: 'local',
    presentedApiKey: null,
    connection: null,
    socket: null,
  };
  return createCallerFactory(appRouter)(context);
}

export type LocalCaller = ReturnType<typeof createLocalCaller>;
