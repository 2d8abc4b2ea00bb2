import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { Logger } from 'pino';
import type { CreateTodoInput, ListTodosInput } from '../../shared/todo-schemas.js';
import type { AppRouter } from '../../server/routers/_app.js';
import type { ServerConfig } from '../../server/config.js';
import { openCore } from '../../server/open-core.js';
import type { inferRouterOutputs } from '@trpc/server';
import { cancelTodo, createTodo, getTodo, listTodos, redriveTodo } from '../../server/queue/index.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../server/auth/api-keys.js';
import { setStake, listWorkers } from '../../server/auth/workers.js';
import { balances, currentRound, roundDetail } from '../../server/rounds/index.js';

type Out = inferRouterOutputs<AppRouter>;

/** What the admin commands need, whether they act on the data dir or on a running server. */
export interface AdminApi {
  createTodo(input: CreateTodoInput): Promise<Out['todos']['create']>;
  listTodos(input: ListTodosInput): Promise<Out['todos']['list']>;
  getTodo(id: number): Promise<Out['todos']['get']>;
  cancelTodo(id: number): Promise<Out['todos']['cancel']>;
  redriveTodo(id: number): Promise<Out['todos']['redrive']>;
  setStake(stakingKey: string, stake: number): Promise<Out['workers']['setStake']>;
  listWorkers(): Promise<Out['workers']['list']>;
  createApiKey(name: string): Promise<Out['apiKeys']['create']>;
  listApiKeys(): Promise<Out['apiKeys']['list']>;
  revokeApiKey(id: string): Promise<Out['apiKeys']['revoke']>;
  currentRound(): Promise<Out['rounds']['current']>;
  roundDetail(number: number): Promise<Out['rounds']['get']>;
  balances(): Promise<Out['rounds']['balances']>;
  close(): void;
}

/**
 * Works on the SQLite file directly (like PocketBase's CLI). Safe beside a running server on the
 * same data dir: writes are IMMEDIATE transactions, and the server's event poll picks them up.
 */
export function directAdminApi(config: ServerConfig, log: Logger): AdminApi {
  const core = openCore(config, log);
  const run = <T>(fn: () => T) => Promise.resolve().then(fn);
  return {
    createTodo: (input) => run(() => createTodo(core, input)),
    listTodos: (input) => run(() => listTodos(core, input)),
    getTodo: (id) => run(() => getTodo(core, id)),
    cancelTodo: (id) => run(() => cancelTodo(core, id)),
    redriveTodo: (id) => run(() => redriveTodo(core, id)),
    setStake: (key, stake) => run(() => setStake(core, key, stake)),
    listWorkers: () => run(() => listWorkers(core)),
    createApiKey: (name) => run(() => createApiKey(core, name)),
    listApiKeys: () => run(() => listApiKeys(core)),
    revokeApiKey: (id) => run(() => revokeApiKey(core, id)),
    currentRound: () => run(() => currentRound(core)),
    roundDetail: (number) => run(() => roundDetail(core, number)),
    balances: () => run(() => balances(core)),
    close: () => core.close(),
  };
}

/** Talks to a running coordinator over HTTP with an API key. */
export function remoteAdminApi(serverUrl: string, apiKey: string): AdminApi {
  const trpc = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: new URL('/trpc', serverUrl).toString(), headers: { 'x-api-key': apiKey } })],
  });
  return {
    createTodo: (input) => trpc.todos.create.mutate(input),
    listTodos: (input) => trpc.todos.list.query(input),
    getTodo: (id) => trpc.todos.get.query({ id }),
    cancelTodo: (id) => trpc.todos.cancel.mutate({ id }),
    redriveTodo: (id) => trpc.todos.redrive.mutate({ id }),
    setStake: (stakingKey, stake) => trpc.workers.setStake.mutate({ stakingKey, stake }),
    listWorkers: () => trpc.workers.list.query(),
    createApiKey: (name) => trpc.apiKeys.create.mutate({ name }),
    listApiKeys: () => trpc.apiKeys.list.query(),
    revokeApiKey: (id) => trpc.apiKeys.revoke.mutate({ id }),
    currentRound: () => trpc.rounds.current.query(),
    roundDetail: (number) => trpc.rounds.get.query({ number }),
    balances: () => trpc.rounds.balances.query({}),
    close: () => undefined,
  };
}

export { TRPCClientError };
