import bs58 from 'bs58';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiKey } from '../../server/auth/api-keys.js';
import { claimsPause, claimTodos, createTodo, reportFailures, reportResults, resumeClaims } from '../../server/queue/index.js';
import { appRouter } from '../../server/routers/_app.js';
import { signDetached } from '../../shared/ed25519.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import type { Keypair } from '../../shared/keypair.js';
import { generateKeypair } from '../../shared/keypair.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { signedInput, todoInput } from '../helpers/api.js';
import { startTestCoordinator, type TestCoordinator } from '../helpers/coordinator.js';

/**
 * Property: whatever arrives at a procedure over HTTP — arbitrary JSON, a valid input or signed
 * envelope with random mutations, bytes that are not JSON, the wrong HTTP method, with or without
 * an API key — the answer is never a 5xx, the process stays up, and a refused call leaves the
 * store exactly as it was. Procedures are read from the router, so new ones are covered as added.
 */

type ProcedureType = 'query' | 'mutation' | 'subscription';
interface ProcedureInfo {
  path: string;
  type: ProcedureType;
  signed: boolean;
}

const PROCEDURES: ProcedureInfo[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType; inputs: unknown[] } }>,
).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
  signed: procedure._def.inputs.some((input) => input instanceof z.ZodObject && 'signature' in input.shape),
}));

const NUM_RUNS = Number(process.env.PROP_RUNS ?? 60); // PROP_RUNS=500 for a deeper search

let t: TestCoordinator;
let worker: Keypair;
let lease: { todoId: number; leaseToken: string };
let spareApiKeyId: string;

/** A valid input for each known procedure (fresh signature and nonce on every call). */
function validInput(procedure: ProcedureInfo): unknown {
  const sign = (body: object) => signedInput(worker, procedure.path, body);
  switch (procedure.path) {
    case 'todos.create':
      return { spec: EXAMPLE_SWARM_SPEC, priority: 3, dedupeKey: 'property-test' };
    case 'todos.createMany':
      return { todos: [{ spec: EXAMPLE_SWARM_SPEC, dedupeKey: 'property-test-many' }, { spec: EXAMPLE_SWARM_SPEC, priority: -2, dedupeKey: 'property-test-many-2' }] };
    case 'todos.list':
      return { limit: 5, status: 'initialized' };
    case 'todos.get':
    case 'todos.cancel':
      return { id: 1 };
    case 'todos.redrive':
      return { id: 3 };
    case 'todos.cancelMatching':
      return { swarmType: 'MajorityVoting', dryRun: true };
    case 'todos.update':
      return { id: 1, priority: 7, reward: 5 };
    case 'todos.claim':
      return sign({ max: 2 });
    case 'todos.reportAndClaim':
      return sign({ results: [{ ...lease, result: { ok: true } }], max: 1 });
    case 'todos.heartbeat':
    case 'todos.release':
      return sign({ leases: [lease] });
    case 'todos.reportResults':
      return sign({ results: [{ ...lease, result: 'done' }] });
    case 'todos.reportFailures':
      return sign({ failures: [{ ...lease, error: 'failed' }] });
    case 'todos.decline':
      return sign({ declines: [{ ...lease, reason: 'over budget' }] });
    case 'workers.register':
      return sign({ githubUsername: 'property-tester' });
    case 'workers.setStake':
      return { stakingKey: generateKeypair().publicKeyBase58, stake: 5 };
    case 'apiKeys.create':
      return { name: 'from-property-test' };
    case 'apiKeys.revoke':
      return { id: spareApiKeyId };
    case 'events.list':
      return { afterId: 0, limit: 10 };
    case 'events.find':
      return { types: ['todo.'], todoId: 1, limit: 10, from: 'newest' };
    case 'workers.list':
      return { limit: 5, sort: 'lastSeen' };
    case 'workers.get':
      return { stakingKey: generateKeypair().publicKeyBase58, rounds: 3 };
    case 'workers.earnings':
      return sign({ rounds: 3 });
    case 'events.on':
    case 'todos.onAvailable':
      return {};
    default:
      return procedure.signed ? sign({}) : {};
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of JSON values
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

interface Mutation {
  pick: number;
  op: 'set' | 'delete' | 'add';
  value: Json;
  key: string;
}

function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** An own, enumerable property even for keys like `__proto__`, so it is serialized and sent. */
function setOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(original: unknown, mutations: Mutation[]): Json {
  let root = JSON.parse(JSON.stringify(original ?? null)) as Json;
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.pick % paths.length]!;
    if (path.length === 0) {
      if (m.op === 'set') root = m.value;
      else if (m.op === 'add' && root !== null && typeof root === 'object' && !Array.isArray(root)) setOwn(root, m.key, m.value);
      continue;
    }
    let parent = root as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
    const last = path[path.length - 1]!;
    const node = parent[last]!;
    if (m.op === 'set') parent[last] = m.value;
    else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (Array.isArray(node)) node.push(m.value);
    else if (node !== null && typeof node === 'object') setOwn(node, m.key, m.value);
    else parent[last] = m.value;
  }
  return root;
}

/** Re-signs whatever `payload` a mutated envelope carries (inputs without one stay as they are). */
function resign(value: Json): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('payload' in value)) return value;
  const signature = bs58.encode(signDetached(new TextEncoder().encode(canonicalJson(value.payload)), worker.secretKey));
  return { ...value, signature };
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('set' as const, 'delete' as const, 'add' as const),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('payload', 'max', 'id', 'nonce', 'timestamp', 'spec', 'leases', '__proto__')),
});

type InputCase =
  | { kind: 'json'; value: Json }
  | { kind: 'mutated'; mutations: Mutation[] }
  | { kind: 'resigned'; mutations: Mutation[] }
  | { kind: 'valid' }
  | { kind: 'absent' }
  | { kind: 'not-json'; text: string };

const inputArb: fc.Arbitrary<InputCase> = fc.oneof(
  { weight: 4, arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 4, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((mutations) => ({ kind: 'mutated' as const, mutations })) },
  { weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((mutations) => ({ kind: 'resigned' as const, mutations })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ kind: 'not-json' as const, text })) },
);

const callArb = fc.record({
  input: inputArb,
  withApiKey: fc.boolean(),
  wrongMethod: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

// ---------------------------------------------------------------------------------------------
// The store, and one HTTP call
// ---------------------------------------------------------------------------------------------

/**
 * Every table but `nonces` (a refused call may record nothing, but an accepted nonce is fine) and
 * `api_keys.last_used_at` (bookkeeping of a valid key's use), plus the latest event id.
 */
function storeSnapshot(): Record<string, unknown> {
  const sqlite = t.coordinator.core.sqlite;
  const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)
    .filter((name) => name !== 'nonces');
  const snapshot: Record<string, unknown> = {};
  for (const table of tables) {
    const rows = sqlite.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all() as Record<string, unknown>[];
    snapshot[table] = table === 'api_keys' ? rows.map(({ last_used_at: _ignored, ...rest }) => rest) : rows;
  }
  snapshot.maxEventId = (sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  return snapshot;
}

/** Rows inserted, updated or deleted so far through the coordinator's one connection. */
function rowsWritten(): number {
  return (t.coordinator.core.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}

/**
 * The store now, read again only if a row was written since it was last read: reading every table
 * before and after each call was a third of this file's run time, and a call that wrote no row
 * cannot have changed the store.
 */
let lastRead: { rowsWritten: number; snapshot: Record<string, unknown> } | null = null;

function currentStore(): Record<string, unknown> {
  const written = rowsWritten();
  if (lastRead?.rowsWritten !== written) lastRead = { rowsWritten: written, snapshot: storeSnapshot() };
  return lastRead.snapshot;
}

interface CallOutcome {
  status: number;
  /** Error codes in the body (for a batch or an SSE stream, every one of them). */
  errorStatuses: number[];
  ok: boolean;
  text: string;
}

/** Reads an SSE answer up to its first complete event after `connected`, or a short while after `connected`. */
async function readEventStream(response: Response, abort: AbortController): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const next = reader.read();
      // A valid subscription with nothing to send stays silent: stop listening after a moment.
      const chunk = text.includes('event: connected')
        ? await Promise.race([next, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))])
        : await next;
      if (chunk === null || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
      const complete = text.split('\n\n').slice(0, -1);
      if (complete.some((block) => !block.startsWith('event: connected'))) break;
    }
  } finally {
    abort.abort();
  }
  return text;
}

interface PreparedCall {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const LEASE_PATHS = new Set(['todos.heartbeat', 'todos.release', 'todos.reportResults', 'todos.reportFailures', 'todos.reportAndClaim']);

/** Gives `worker` a live lease again if an earlier (valid) call ended it, so valid-ish inputs reach the lease checks. */
function ensureLease(): void {
  const row = t.coordinator.core.sqlite.prepare('SELECT status, lease_token, holder_key FROM todos WHERE id = ?').get(lease.todoId) as
    | { status: string; lease_token: string | null; holder_key: string | null }
    | undefined;
  if (row?.status === 'in_progress' && row.lease_token === lease.leaseToken && row.holder_key === worker.publicKeyBase58) return;
  // A valid `queue.pause` run before this procedure (the order is shuffled with --sequence.shuffle) stops every claim.
  if (claimsPause(t.coordinator.core)) resumeClaims(t.coordinator.core);
  createTodo(t.coordinator.core, todoInput({ priority: 1000 }));
  const [claim] = claimTodos(t.coordinator.core, { stakingKey: worker.publicKeyBase58, max: 1 });
  lease = { todoId: claim!.todoId, leaseToken: claim!.leaseToken };
}

function prepareCall(procedure: ProcedureInfo, input: InputCase, withApiKey: boolean, wrongMethod: boolean): PreparedCall {
  const readLike = procedure.type !== 'mutation';
  const method = readLike !== wrongMethod ? 'GET' : 'POST';
  if (LEASE_PATHS.has(procedure.path) && input.kind !== 'json' && input.kind !== 'absent' && input.kind !== 'not-json') ensureLease();
  let encoded: string | undefined;
  switch (input.kind) {
    case 'json':
      encoded = JSON.stringify(input.value);
      break;
    case 'mutated':
      encoded = JSON.stringify(mutate(validInput(procedure), input.mutations));
      break;
    case 'resigned':
      // Mutated, then signed again by the worker: a well-signed envelope with odd content.
      encoded = JSON.stringify(resign(mutate(validInput(procedure), input.mutations)));
      break;
    case 'valid':
      encoded = JSON.stringify(validInput(procedure));
      break;
    case 'absent':
      encoded = undefined;
      break;
    case 'not-json':
      encoded = input.text;
      break;
  }
  const headers: Record<string, string> = {};
  if (withApiKey) headers['x-api-key'] = t.apiKey;
  let url = `${t.url}/trpc/${procedure.path}`;
  let body: string | undefined;
  if (method === 'GET') {
    if (encoded !== undefined) url += `?input=${encodeURIComponent(encoded)}`;
  } else {
    headers['content-type'] = 'application/json';
    body = encoded;
  }
  return { method, url, headers, body };
}

async function send(call: PreparedCall): Promise<CallOutcome> {
  const abort = new AbortController();
  const response = await fetch(call.url, {
    method: call.method,
    headers: call.headers,
    signal: abort.signal,
    ...(call.body === undefined ? {} : { body: call.body }),
  });
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  const text = isStream ? await readEventStream(response, abort) : await response.text();
  const errorStatuses = [...text.matchAll(/"httpStatus":(\d+)/g)].map((m) => Number(m[1]));
  let ok: boolean;
  if (isStream) ok = !text.includes('event: serialized-error');
  else {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    ok = response.status < 300 && typeof parsed === 'object' && parsed !== null && 'result' in parsed;
  }
  return { status: response.status, errorStatuses, ok, text };
}

async function internalErrorCount(): Promise<number> {
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  return [...metrics.matchAll(/^swarmtask_procedure_errors_total\{[^}]*code="INTERNAL_SERVER_ERROR"[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

// ---------------------------------------------------------------------------------------------

describe('bad input against every procedure over HTTP (fast-check)', () => {
  beforeAll(async () => {
    // No background writers (lease sweeper, round ticker) while the store is compared around each call.
    t = await startTestCoordinator({ sweepIntervalMs: 24 * 3_600_000 });
    const core = t.coordinator.core;
    worker = t.stakedWorker({ githubUsername: 'property-worker' });
    // Todos in each state: 1 queued, 2 held by `worker`, 3 failed, 4 submitted.
    createTodo(core, todoInput({ priority: -10 }));
    createTodo(core, todoInput({ priority: 10 }));
    createTodo(core, todoInput({ priority: 9, maxAttempts: 1 }));
    createTodo(core, todoInput({ priority: 8 }));
    const [held] = claimTodos(core, { stakingKey: worker.publicKeyBase58, max: 1 });
    const [doomed, done] = claimTodos(core, { stakingKey: 'someone-else', max: 2 });
    reportFailures(core, { stakingKey: 'someone-else' }, [{ todoId: doomed!.todoId, leaseToken: doomed!.leaseToken, error: 'x' }]);
    reportResults(core, { stakingKey: 'someone-else' }, [{ todoId: done!.todoId, leaseToken: done!.leaseToken, result: 1 }]);
    lease = { todoId: held!.todoId, leaseToken: held!.leaseToken };
    spareApiKeyId = createApiKey(core, 'spare').info.id;
  });

  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('covers every procedure of the router', () => {
    expect(PROCEDURES.length).toBeGreaterThanOrEqual(20);
    const paths = PROCEDURES.map((p) => p.path);
    for (const known of ['todos.create', 'todos.claim', 'todos.onAvailable', 'events.on', 'apiKeys.revoke', 'workers.register']) {
      expect(paths).toContain(known);
    }
    expect(PROCEDURES.find((p) => p.path === 'todos.claim')?.signed).toBe(true);
    expect(PROCEDURES.find((p) => p.path === 'todos.create')?.signed).toBe(false);
  });

  it.each(PROCEDURES.map((p) => [p.path, p] as const))('%s: never a 5xx; a refused call leaves the store unchanged', async (_path, procedure) => {
    const internalBefore = await internalErrorCount();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(callArb, async ({ input, withApiKey, wrongMethod }) => {
        const call = prepareCall(procedure, input, withApiKey, wrongMethod);
        const before = currentStore();
        const outcome = await send(call);
        expect(outcome.status, outcome.text).toBeLessThan(500);
        for (const status of outcome.errorStatuses) expect(status, outcome.text).toBeLessThan(500);
        const after = currentStore();
        if (!outcome.ok || procedure.type !== 'mutation') {
          // Refused (or a read): nothing changed.
          expect(after).toEqual(before);
        }
        if (!outcome.ok) refused++;
      }),
      { numRuns: NUM_RUNS },
    );
    expect(refused).toBeGreaterThan(0);
    expect(await internalErrorCount()).toBe(internalBefore);
  });

  it('batched calls mixing procedures and garbage: never a 5xx', async () => {
    const procedureArb = fc.constantFrom(...PROCEDURES);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ procedure: procedureArb, input: fc.jsonValue({ maxDepth: 3 }) }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        async (calls, post, withApiKey) => {
          const paths = calls.map((c) => c.procedure.path).join(',');
          const inputs = Object.fromEntries(calls.map((c, i) => [i, c.input]));
          const headers: Record<string, string> = withApiKey ? { 'x-api-key': t.apiKey } : {};
          const before = currentStore();
          const abort = new AbortController();
          const response = post
            ? await fetch(`${t.url}/trpc/${paths}?batch=1`, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/json' },
                body: JSON.stringify(inputs),
                signal: abort.signal,
              })
            : await fetch(`${t.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`, { headers, signal: abort.signal });
          const text = (response.headers.get('content-type') ?? '').includes('text/event-stream')
            ? await readEventStream(response, abort)
            : await response.text();
          expect(response.status, text).toBeLessThan(500);
          for (const m of text.matchAll(/"httpStatus":(\d+)/g)) expect(Number(m[1]), text).toBeLessThan(500);
          if (response.status >= 400) expect(currentStore()).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the process is still up and serving', async () => {
    expect((await fetch(`${t.url}/healthz/`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const worker2 = t.workerClient(t.stakedWorker());
    expect(await worker2.trpc.health.check.query()).toMatchObject({ ok: true });
    expect(await internalErrorCount()).toBe(0);
  });
});
