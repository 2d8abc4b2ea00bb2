import { router } from '../trpc/trpc.js';
import { apiKeysRouter } from './api-keys.js';
import { eventsRouter } from './events.js';
import { healthRouter } from './health.js';
import { todosRouter } from './todos.js';
import { queueRouter } from './queue.js';
import { workersRouter } from './workers.js';
import { roundsRouter } from './rounds.js';
import { swarmsRouter } from './swarms.js';
import { webhooksRouter } from './webhooks.js';
import { storeRouter } from './store.js';
import { auditsRouter, ipfsRouter, submissionsRouter } from './submissions.js';

export const appRouter = router({
  health: healthRouter,
  todos: todosRouter,
  queue: queueRouter,
  workers: workersRouter,
  apiKeys: apiKeysRouter,
  events: eventsRouter,
  submissions: submissionsRouter,
  audits: auditsRouter,
  rounds: roundsRouter,
  ipfs: ipfsRouter,
  swarms: swarmsRouter,
  webhooks: webhooksRouter,
  store: storeRouter,
});

export type AppRouter = typeof appRouter;
