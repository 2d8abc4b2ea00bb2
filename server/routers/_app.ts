import { router } from '../trpc/trpc.js';
import { apiKeysRouter } from './api-keys.js';
import { eventsRouter } from './events.js';
import { healthRouter } from './health.js';
import { todosRouter } from './todos.js';
import { workersRouter } from './workers.js';

export const appRouter = router({
  health: healthRouter,
  todos: todosRouter,
  workers: workersRouter,
  apiKeys: apiKeysRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
