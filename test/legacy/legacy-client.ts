import { signLegacy } from '../../shared/envelope.js';
import { generateKeypair, type Keypair } from '../../shared/keypair.js';
import type { Core } from '../../server/core.js';

export interface LegacyReply {
  status: number;
  headers: Headers;
  // Upstream bodies are loose JSON; tests compare them with toEqual.
  json: any;
}

export const ENDPOINTS = [
  'fetch-todo',
  'add-todo-status',
  'add-todo-pr',
  'add-todo-draft-pr',
  'add-round-number',
  'check-todo',
  'add-failed-info',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** POSTs a raw body (a string is sent as is) to `/summarizer/worker/<endpoint>`. */
export async function postLegacy(url: string, endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<LegacyReply> {
  const response = await fetch(`${url}/summarizer/worker/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

/**
 * A Koii task node as the summarizer worker (docs-summarizer `worker/src`) drives the middle
 * server: payloads built with the same keys in the same order, signed with
 * `namespaceWrapper.payloadSigning(payload, stakingKeypair.secretKey)` — an attached base58
 * signature over `JSON.stringify(payload)` — and posted as `{signature, stakingKey}`.
 */
export class KoiiWorker {
  /** The main wallet: only carried inside payloads as `publicKey`, never verified. */
  readonly mainWallet = generateKeypair();

  constructor(
    readonly url: string,
    readonly staking: Keypair,
    readonly options: { taskId?: string; githubUsername?: string } = {},
  ) {}

  get stakingKey(): string {
    return this.staking.publicKeyBase58;
  }

  get taskId(): string {
    return this.options.taskId ?? 'test-task';
  }

  get githubUsername(): string {
    // Each node has its own GitHub account unless a test says otherwise.
    return this.options.githubUsername ?? `gh-${this.stakingKey.slice(0, 10)}`;
  }

  /** namespaceWrapper.payloadSigning */
  sign(payload: object): string {
    return signLegacy(payload, this.staking.secretKey);
  }

  signed(payload: object): { signature: string; stakingKey: string } {
    return { signature: this.sign(payload), stakingKey: this.stakingKey };
  }

  fetchTodoPayload(): object {
    return { taskId: this.taskId, action: 'fetch-todo', githubUsername: this.githubUsername, stakingKey: this.stakingKey };
  }

  prPayload(swarmBountyId: string, prUrl: string, action: 'add-todo-pr' | 'add-todo-draft-pr' = 'add-todo-pr'): object {
    return { taskId: this.taskId, swarmBountyId, prUrl, stakingKey: this.stakingKey, publicKey: this.mainWallet.publicKeyBase58, action };
  }

  roundNumberPayload(swarmBountyId: string, prUrl: string): object {
    return {
      taskId: this.taskId,
      swarmBountyId,
      prUrl,
      stakingKey: this.stakingKey,
      publicKey: this.mainWallet.publicKeyBase58,
      action: 'add-round-number',
    };
  }

  statusPayload(swarmBountyId: string): object {
    return { taskId: this.taskId, swarmBountyId, action: 'add-todo-status', stakingKey: this.stakingKey };
  }

  post(endpoint: Endpoint, body: unknown): Promise<LegacyReply> {
    return postLegacy(this.url, endpoint, body);
  }

  fetchTodo(): Promise<LegacyReply> {
    return this.post('fetch-todo', this.signed(this.fetchTodoPayload()));
  }

  addTodoPr(swarmBountyId: string, prUrl: string): Promise<LegacyReply> {
    return this.post('add-todo-pr', this.signed(this.prPayload(swarmBountyId, prUrl)));
  }

  addTodoDraftPr(swarmBountyId: string, prUrl: string): Promise<LegacyReply> {
    return this.post('add-todo-draft-pr', this.signed(this.prPayload(swarmBountyId, prUrl, 'add-todo-draft-pr')));
  }

  addRoundNumber(swarmBountyId: string, prUrl: string): Promise<LegacyReply> {
    return this.post('add-round-number', this.signed(this.roundNumberPayload(swarmBountyId, prUrl)));
  }

  addTodoStatus(swarmBountyId: string): Promise<LegacyReply> {
    return this.post('add-todo-status', this.signed(this.statusPayload(swarmBountyId)));
  }

  /** What a Koii auditor sends about a submitter (3-audit.ts): unsigned. */
  checkTodo(submitterKey: string, roundNumber: number | string, githubUsername: string, prUrl: string): Promise<LegacyReply> {
    return this.post('check-todo', { stakingKey: submitterKey, roundNumber, githubUsername, prUrl });
  }

  addFailedInfo(swarmBountyId: string, error: string): Promise<LegacyReply> {
    return this.post('add-failed-info', { stakingKey: this.stakingKey, swarmBountyId, error });
  }
}

/** Everything a legacy request could change: rows of the queue tables, the event log, replay keys, error reports. */
export function stateSnapshot(core: Pick<Core, 'sqlite'>): Record<string, unknown> {
  const all = (sql: string) => core.sqlite.prepare(sql).all();
  return {
    todos: all('SELECT * FROM todos ORDER BY id'),
    assignments: all('SELECT * FROM assignments ORDER BY id'),
    events: all('SELECT * FROM events ORDER BY id'),
    legacyRequests: all('SELECT * FROM legacy_requests ORDER BY signature_hash'),
    todoErrors: all('SELECT * FROM todo_errors ORDER BY id'),
  };
}

export function row(core: Pick<Core, 'sqlite'>, sql: string, ...params: unknown[]): any {
  return core.sqlite.prepare(sql).get(...params);
}

export function rows(core: Pick<Core, 'sqlite'>, sql: string, ...params: unknown[]): any[] {
  return core.sqlite.prepare(sql).all(...params);
}

/**
 * Coordinator settings for tests that compare state snapshots: no background sweep or round
 * tick (tests sweep explicitly with a chosen `now`), so only the requests under test change state.
 */
export const QUIET = { sweepIntervalMs: 86_400_000 } as const;
