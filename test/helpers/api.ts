import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { expect } from 'vitest';
import { DomainError } from '../../shared/errors.js';
import type { z } from 'zod';
import { openCore } from '../../server/open-core.js';
import { loadServerConfig, type ServerConfigInput } from '../../server/config.js';
import type { Core } from '../../server/core.js';
import { silentLogger } from '../../server/logger.js';
import type { AppRouter } from '../../server/routers/_app.js';
import { signEnvelope, type SignedEnvelope } from '../../shared/envelope.js';
import type { Keypair } from '../../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { CreateTodoInputSchema, type CreateTodoInput } from '../../shared/todo-schemas.js';
import { tempDir } from './coordinator.js';

/** A typed tRPC client over plain HTTP (one request per call), optionally with an API key. */
export function apiClient(url: string, apiKey?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (apiKey ? { 'x-api-key': apiKey } : {}) })],
  });
}

/** A valid `todos.create` input (the published example spec), with overrides. */
export function todoInput(overrides: Partial<z.input<typeof CreateTodoInputSchema>> = {}): CreateTodoInput {
  return CreateTodoInputSchema.parse({ spec: EXAMPLE_SWARM_SPEC, ...overrides });
}

/** A todo input whose spec is scheduled for `at` (ms since the epoch). */
export function scheduledTodoInput(at: number, overrides: Partial<z.input<typeof CreateTodoInputSchema>> = {}): CreateTodoInput {
  return todoInput({ spec: { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: new Date(at).toISOString() } }, ...overrides });
}

/** Signs `body` for `path` the way the worker client does, with optional overrides of the signed metadata. */
export function signedInput<P extends object>(
  keypair: Keypair,
  path: string,
  body: P,
  meta: { action?: string; taskId?: string; timestamp?: number; nonce?: string } = {},
): SignedEnvelope<P> {
  return signEnvelope(body, { action: meta.action ?? path, taskId: meta.taskId ?? 'test-task', timestamp: meta.timestamp, nonce: meta.nonce }, keypair);
}

export interface ExpectedError {
  code: string;
  reason?: string | null;
  message?: RegExp;
  httpStatus?: number;
}

/** Awaits a call that must fail with a tRPC error and checks its code, reason and message. */
export async function expectTrpcError(call: Promise<unknown>, expected: ExpectedError): Promise<TRPCClientError<AppRouter>> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected ${expected.code} but the call succeeded with ${JSON.stringify(outcome.value)}`);
  const error = outcome.error;
  if (!(error instanceof TRPCClientError)) throw error;
  const e = error as TRPCClientError<AppRouter>;
  expect(e.data?.code, e.message).toBe(expected.code);
  if (expected.reason !== undefined) expect(e.data?.reason, e.message).toBe(expected.reason);
  if (expected.message) expect(e.message).toMatch(expected.message);
  if (expected.httpStatus !== undefined) expect(e.data?.httpStatus).toBe(expected.httpStatus);
  return e;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One request to `/trpc/<path>` in tRPC's HTTP wire format: queries as GET `?input=`, mutations as POST. */
export async function rawTrpc(
  url: string,
  path: string,
  options: { method?: 'GET' | 'POST'; input?: unknown; body?: string; apiKey?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  let target = `${url}/trpc/${path}`;
  let body: string | undefined;
  if (method === 'GET') {
    if (options.input !== undefined) target += `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  } else {
    headers['content-type'] ??= 'application/json';
    body = options.body ?? (options.input === undefined ? undefined : JSON.stringify(options.input));
  }
  const response = await fetch(target, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** `error.data` of a raw tRPC error response. */
export function errorData(response: RawResponse): { code?: string; reason?: string | null; httpStatus?: number; issues?: { path: string }[] | null } {
  const body = response.json as { error?: { data?: Record<string, unknown> } } | null;
  return (body?.error?.data ?? {}) as ReturnType<typeof errorData>;
}

/** Number of event rows per type. */
export function eventCounts(core: Pick<Core, 'sqlite'>, todoId?: number): Record<string, number> {
  const rows = (
    todoId === undefined
      ? core.sqlite.prepare('SELECT type, count(*) AS n FROM events GROUP BY type').all()
      : core.sqlite.prepare('SELECT type, count(*) AS n FROM events WHERE todo_id = ? GROUP BY type').all(todoId)
  ) as { type: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.type, r.n]));
}

/** Event ids after `afterId`, in order, optionally of one type. */
export function eventIdsAfter(core: Pick<Core, 'sqlite'>, afterId: number, type?: string): number[] {
  const rows = (
    type === undefined
      ? core.sqlite.prepare('SELECT id FROM events WHERE id > ? ORDER BY id').all(afterId)
      : core.sqlite.prepare('SELECT id FROM events WHERE id > ? AND type = ? ORDER BY id').all(afterId, type)
  ) as { id: number }[];
  return rows.map((r) => r.id);
}

export function maxEventId(core: Pick<Core, 'sqlite'>): number {
  return (core.sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
}

/** The raw `todos` row, lease token included (the API never shows it). */
export function todoRow(core: Pick<Core, 'sqlite'>, id: number): Record<string, unknown> {
  const row = core.sqlite.prepare('SELECT * FROM todos WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!row) throw new Error(`no todo ${id}`);
  return row;
}

/** A store with no server around it (no sweeper, no clock): domain functions run at the `now` they are given. */
export function openTestCore(overrides: Partial<ServerConfigInput> = {}): Core & Disposable {
  const dir = tempDir('swarmtask-core-');
  const core = openCore(loadServerConfig({}, { dataDir: dir.path, taskId: 'test-task', ...overrides }), silentLogger());
  return Object.assign(core, {
    [Symbol.dispose]() {
      core.close();
      dir[Symbol.dispose]();
    },
  });
}

/** Runs a domain function that must refuse with `reason` (and a message matching `message`); answers the error. */
export function expectDomainError(fn: () => unknown, reason: string, message?: RegExp): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a DomainError').toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect(error.reason).toBe(reason);
  if (message) expect(error.message).toMatch(message);
  return error;
}
