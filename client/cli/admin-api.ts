import { TRPCClientError } from '@trpc/client';
import { createOperatorClient } from '../operator-client.js';
import type { Logger } from 'pino';
import type { CancelMatchingInput, CreateTodoInput, ListTodosInput, RedriveFailedInput, UpdateTodoInput } from '../../shared/todo-schemas.js';
import type { FindEventsQuery } from '../../shared/event-schemas.js';
import type { ListWorkersInput } from '../../shared/worker-schemas.js';
import type { AppRouter } from '../../server/routers/_app.js';
import type { ServerConfig } from '../../server/config.js';
import { openCore } from '../../server/open-core.js';
import type { inferRouterOutputs } from '@trpc/server';
import { createLocalCaller } from '../../server/trpc/local-caller.js';

type Out = inferRouterOutputs<AppRouter>;

/** What the admin commands need, whether they act on the data dir or on a running server. */
export interface AdminApi {
  createTodo(input: CreateTodoInput): Promise<Out['todos']['create']>;
  createTodos(inputs: CreateTodoInput[]): Promise<Out['todos']['createMany']>;
  listTodos(input: ListTodosInput): Promise<Out['todos']['list']>;
  getTodo(id: number): Promise<Out['todos']['get']>;
  todoHistory(id: number): Promise<Out['todos']['history']>;
  cancelTodo(id: number): Promise<Out['todos']['cancel']>;
  cancelMatching(input: CancelMatchingInput): Promise<Out['todos']['cancelMatching']>;
  redriveTodo(id: number): Promise<Out['todos']['redrive']>;
  updateTodo(input: UpdateTodoInput): Promise<Out['todos']['update']>;
  redriveFailed(filter: RedriveFailedInput): Promise<Out['todos']['redriveFailed']>;
  setStake(stakingKey: string, stake: number): Promise<Out['workers']['setStake']>;
  listWorkers(input: Partial<ListWorkersInput>): Promise<Out['workers']['list']>;
  workerSummary(): Promise<Out['workers']['summary']>;
  workerDetail(stakingKey: string, rounds?: number): Promise<Out['workers']['get']>;
  createApiKey(name: string, scope?: 'admin' | 'read', expiresAt?: number): Promise<Out['apiKeys']['create']>;
  listApiKeys(): Promise<Out['apiKeys']['list']>;
  revokeApiKey(id: string): Promise<Out['apiKeys']['revoke']>;
  /** Without a number: the newest tallied round. */
  roundDetail(number?: number): Promise<Out['rounds']['get']>;
  balances(): Promise<Out['rounds']['balances']>;
  health(): Promise<Out['health']['check']>;
  todoCounts(): Promise<Out['todos']['counts']>;
  queueState(): Promise<Out['queue']['state']>;
  pauseClaims(reason?: string): Promise<Out['queue']['pause']>;
  resumeClaims(): Promise<Out['queue']['resume']>;
  oldestClaimable(): Promise<Out['todos']['oldestClaimable']>;
  currentRound(): Promise<Out['rounds']['current']>;
  findEvents(query: FindEventsQuery): Promise<Out['events']['find']>;
  webhookState(): Promise<Out['webhooks']['state']>;
  storeRoom(): Promise<Out['store']['room']>;
  close(): void;
}

/**
 * Works on the SQLite file directly (like PocketBase's CLI), through the same routers as a remote
 * call, so the same input checks apply. Safe beside a running server on the same data dir: writes
 * are IMMEDIATE transactions, and the server's event poll picks them up.
 */
export function directAdminApi(config: ServerConfig, log: Logger): AdminApi {
  // This process runs no rounds: it reads them on the clock the coordinator recorded.
  const core = openCore(config, log, { roundClock: 'recorded' });
  const call = createLocalCaller(core);
  return {
    createTodo: (input) => call.todos.create(input),
    createTodos: (inputs) => call.todos.createMany({ todos: inputs }),
    listTodos: (input) => call.todos.list(input),
    getTodo: (id) => call.todos.get({ id }),
    todoHistory: (id) => call.todos.history({ id }),
    cancelTodo: (id) => call.todos.cancel({ id }),
    cancelMatching: (input) => call.todos.cancelMatching(input),
    redriveTodo: (id) => call.todos.redrive({ id }),
    updateTodo: (input) => call.todos.update(input),
    redriveFailed: (filter) => call.todos.redriveFailed(filter),
    setStake: (stakingKey, stake) => call.workers.setStake({ stakingKey, stake }),
    listWorkers: (input) => call.workers.list(input),
    workerSummary: () => call.workers.summary(),
    workerDetail: (stakingKey, rounds) => call.workers.get({ stakingKey, ...(rounds === undefined ? {} : { rounds }) }),
    createApiKey: (name, scope, expiresAt) => call.apiKeys.create({ name, ...(scope ? { scope } : {}), ...(expiresAt === undefined ? {} : { expiresAt }) }),
    listApiKeys: () => call.apiKeys.list(),
    revokeApiKey: (id) => call.apiKeys.revoke({ id }),
    roundDetail: (number) => call.rounds.get(number === undefined ? {} : { number }),
    balances: () => call.rounds.balances({}),
    health: () => call.health.check(),
    todoCounts: () => call.todos.counts(),
    queueState: () => call.queue.state(),
    pauseClaims: (reason) => call.queue.pause(reason ? { reason } : {}),
    resumeClaims: () => call.queue.resume(),
    oldestClaimable: () => call.todos.oldestClaimable(),
    currentRound: () => call.rounds.current(),
    findEvents: (query) => call.events.find(query),
    webhookState: () => call.webhooks.state(),
    storeRoom: () => call.store.room(),
    close: () => core.close(),
  };
}

/** Talks to a running coordinator over HTTP with an API key. */
export function remoteAdminApi(serverUrl: string, apiKey: string): AdminApi {
  const client = createOperatorClient({ url: serverUrl, apiKey });
  const trpc = client.trpc;
  return {
    createTodo: (input) => trpc.todos.create.mutate(input),
    createTodos: (inputs) => trpc.todos.createMany.mutate({ todos: inputs }),
    listTodos: (input) => trpc.todos.list.query(input),
    getTodo: (id) => trpc.todos.get.query({ id }),
    todoHistory: (id) => trpc.todos.history.query({ id }),
    cancelTodo: (id) => trpc.todos.cancel.mutate({ id }),
    cancelMatching: (input) => trpc.todos.cancelMatching.mutate(input),
    redriveTodo: (id) => trpc.todos.redrive.mutate({ id }),
    updateTodo: (input) => trpc.todos.update.mutate(input),
    redriveFailed: (filter) => trpc.todos.redriveFailed.mutate(filter),
    setStake: (stakingKey, stake) => trpc.workers.setStake.mutate({ stakingKey, stake }),
    listWorkers: (input) => trpc.workers.list.query(input),
    workerSummary: () => trpc.workers.summary.query(),
    workerDetail: (stakingKey, rounds) => trpc.workers.get.query({ stakingKey, ...(rounds === undefined ? {} : { rounds }) }),
    createApiKey: (name, scope, expiresAt) => trpc.apiKeys.create.mutate({ name, ...(scope ? { scope } : {}), ...(expiresAt === undefined ? {} : { expiresAt }) }),
    listApiKeys: () => trpc.apiKeys.list.query(),
    revokeApiKey: (id) => trpc.apiKeys.revoke.mutate({ id }),
    roundDetail: (number) => trpc.rounds.get.query(number === undefined ? {} : { number }),
    balances: () => trpc.rounds.balances.query({}),
    health: () => trpc.health.check.query(),
    todoCounts: () => trpc.todos.counts.query(),
    queueState: () => trpc.queue.state.query(),
    pauseClaims: (reason) => trpc.queue.pause.mutate(reason ? { reason } : {}),
    resumeClaims: () => trpc.queue.resume.mutate(),
    oldestClaimable: () => trpc.todos.oldestClaimable.query(),
    currentRound: () => trpc.rounds.current.query(),
    findEvents: (query) => trpc.events.find.query(query),
    webhookState: () => trpc.webhooks.state.query(),
    storeRoom: () => trpc.store.room.query(),
    close: () => void client.close(),
  };
}

export { TRPCClientError };
