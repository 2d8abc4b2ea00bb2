import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { cancelTodo, createTodo, pauseClaims } from '../../server/queue/index.js';
import { WebhookSender } from '../../server/webhooks/webhook-sender.js';
import { readWebhookState } from '../../server/webhooks/webhook-state.js';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../../shared/webhook-signature.js';
import { apiClient, todoInput } from '../helpers/api.js';
import { startTestCoordinator, tempDir } from '../helpers/coordinator.js';
import { freePort, startServerProcess } from '../helpers/processes.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';

/** Ids and types of the events in the store that a webhook for these prefixes should carry. */
function matchingEvents(dataDir: string, prefixes: string[], afterId = 0): { id: number; type: string }[] {
  const db = new Database(join(dataDir, 'swarmtask.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, type FROM events WHERE id > ? ORDER BY id').all(afterId) as { id: number; type: string }[];
    return rows.filter((row) => prefixes.some((prefix) => row.type.startsWith(prefix)));
  } finally {
    db.close();
  }
}

function savedCursor(dataDir: string): number | null {
  const db = new Database(join(dataDir, 'swarmtask.db'), { readonly: true });
  try {
    return readWebhookState(db)?.cursor ?? null;
  } finally {
    db.close();
  }
}

/**
 * Waits until the receiver has `todoId`'s event and the sender has saved its cursor past it. The
 * receiver's 2xx comes first; a test that takes the store away in between would find the sender
 * unable even to read where it stands.
 */
async function deliveredAndSaved(receiver: WebhookReceiver, sqlite: Database.Database, todoId: number): Promise<void> {
  await vi.waitFor(() => expect(receiver.delivered().map((e) => e.todoId)).toContain(todoId), { timeout: 10_000, interval: 10 });
  const eventId = receiver.delivered().find((e) => e.todoId === todoId)!.id;
  await vi.waitFor(() => expect(readWebhookState(sqlite)?.cursor).toBeGreaterThanOrEqual(eventId), { timeout: 10_000, interval: 10 });
}

describe('webhook delivery', () => {
  it('POSTs the matching events in order, each batch signed over its exact body', async () => {
    await using receiver = await startWebhookReceiver();
    await using t = await startTestCoordinator({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookEvents: 'todo.created,todo.cancelled,queue.' });
    const core = t.coordinator.core;
    const ids = [1, 2, 3].map(() => createTodo(core, todoInput()).todo.id);
    cancelTodo(core, ids[1]!);
    pauseClaims(core, 'maintenance');

    await vi.waitFor(() => expect(receiver.delivered().map((e) => e.type)).toContain('queue.paused'), { timeout: 10_000, interval: 20 });
    const delivered = receiver.delivered();
    expect(delivered.map((e) => [e.type, e.todoId])).toEqual([
      ['todo.created', ids[0]],
      ['todo.created', ids[1]],
      ['todo.created', ids[2]],
      ['todo.cancelled', ids[1]],
      ['queue.paused', null],
    ]);
    expect(delivered.map((e) => e.id)).toEqual(matchingEvents(t.dataDir, ['todo.created', 'todo.cancelled', 'queue.']).map((e) => e.id));
    expect(delivered.at(-1)!.data).toEqual({ reason: 'maintenance' });
    for (const request of receiver.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.parsed.taskId).toBe('test-task');
      const events = request.parsed.events;
      expect(request.headers['x-swarmtask-events']).toBe(`${events[0]!.id}-${events.at(-1)!.id}`);
      const header = request.headers[WEBHOOK_SIGNATURE_HEADER] as string;
      expect(verifyWebhookSignature(SECRET, header, request.body)).toMatchObject({ ok: true });
      expect(verifyWebhookSignature('another-secret-entirely', header, request.body)).toEqual({ ok: false, reason: 'signature does not match the body' });
      expect(verifyWebhookSignature(SECRET, header, request.body.replace('test-task', 'evil-task'))).toEqual({ ok: false, reason: 'signature does not match the body' });
    }
    await vi.waitFor(
      () => expect(readWebhookState(core.sqlite)).toMatchObject({ url: receiver.url, cursor: delivered.at(-1)!.id, failing: null, deliveredAt: expect.any(Number) }),
      { timeout: 10_000, interval: 10 },
    );
  });

  it('retries a receiver that times out or fails with the same first event until it answers 2xx, and says it is failing meanwhile', async () => {
    await using receiver = await startWebhookReceiver(['hang']);
    receiver.answerWith({ status: 503, body: 'busy' });
    await using t = await startTestCoordinator({ webhookUrl: receiver.url, webhookEvents: 'todo.created', webhookTimeoutMs: 300, webhookRetryMs: 50 });
    const core = t.coordinator.core;
    const first = createTodo(core, todoInput()).todo.id;

    await vi.waitFor(() => expect(readWebhookState(core.sqlite)?.failing).toMatchObject({ attempts: 2, error: 'HTTP 503 Service Unavailable: busy' }), { timeout: 10_000, interval: 10 });
    // What an operator sees meanwhile: status, the API, /metrics.
    const status = await runCli(['status', '--server', t.url, '--api-key', t.apiKey]);
    expect(status.stdout).toMatch(new RegExp(`^webhook +${receiver.url}: FAILING for \\d+ s \\(\\d+ attempts, retrying\\): HTTP 503 Service Unavailable: busy; events after \\d+ wait$`, 'm'));
    expect(await apiClient(t.url, t.apiKey).webhooks.state.query()).toMatchObject({ url: receiver.url, failing: { since: expect.any(Number) } });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^swarmtask_webhook_failing 1$/m);
    receiver.answerWith({ status: 204 });
    const second = createTodo(core, todoInput()).todo.id; // written while the receiver fails
    await vi.waitFor(() => expect(receiver.delivered().map((e) => e.todoId)).toEqual([first, second]), { timeout: 30_000, interval: 20 });

    // Every attempt up to the first 2xx began at the same event: nothing skipped while failing.
    // (A retry already on its way when the receiver recovered may carry `first` alone; `second` then follows in its own request.)
    const firstAccepted = receiver.requests.findIndex((r) => r.ok);
    expect(firstAccepted).toBeGreaterThanOrEqual(2);
    expect(new Set(receiver.requests.slice(0, firstAccepted + 1).map((r) => r.parsed.events[0]!.todoId))).toEqual(new Set([first]));
    // The receiver has answered; the sender saves that right after.
    await vi.waitFor(() => expect(readWebhookState(core.sqlite)).toMatchObject({ failing: null }), { timeout: 10_000, interval: 10 });
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^swarmtask_webhook_failing 0$/m);
    expect((await runCli(['status', '--server', t.url, '--api-key', t.apiKey])).stdout).toMatch(
      new RegExp(`^webhook +${receiver.url}: sent up to event \\d+, last delivery \\d+ s ago$`, 'm'),
    );
  });

  it('survives its own faults: a store error stops delivery only until the store answers again', async () => {
    await using receiver = await startWebhookReceiver();
    await using t = await startTestCoordinator({ webhookUrl: receiver.url, webhookEvents: 'todo.created', webhookRetryMs: 20 });
    const core = t.coordinator.core;
    const first = createTodo(core, todoInput()).todo.id;
    await vi.waitFor(() => expect(receiver.delivered().map((e) => e.todoId)).toEqual([first]), { timeout: 10_000, interval: 10 });
    await deliveredAndSaved(receiver, core.sqlite, first);
    // Where the sender keeps its cursor is gone for a while: saving it fails.
    core.sqlite.exec('ALTER TABLE settings RENAME TO settings_away');
    const second = createTodo(core, todoInput()).todo.id;
    await vi.waitFor(() => expect(receiver.requests.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 10 });
    core.sqlite.exec('ALTER TABLE settings_away RENAME TO settings');
    const third = createTodo(core, todoInput()).todo.id;
    await vi.waitFor(() => expect(receiver.delivered().map((e) => e.todoId)).toContain(third), { timeout: 10_000, interval: 10 });
    // At least once: the batch whose cursor could not be saved may come again, never out of order.
    const ids = receiver.delivered().map((e) => e.todoId);
    expect([...new Set(ids)]).toEqual([first, second, third]);
    expect(ids).toEqual([...ids].sort((a, b) => a! - b!));
  });

  it('waits longer while its faults go on, and from the shortest pause again once it has started cleanly', async () => {
    await using receiver = await startWebhookReceiver();
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    const faults: { faults: number; retryInMs: number }[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => faults.push(JSON.parse(line) as { faults: number; retryInMs: number }) });
    const sender = new WebhookSender(core, { url: receiver.url, taskId: 'test-task', timeoutMs: 5000, retryMs: 20, eventPrefixes: ['todo.created'] }, log);
    sender.start();
    try {
      const storeAwayUntilFaults = async (count: number) => {
        core.sqlite.exec('ALTER TABLE settings RENAME TO settings_away');
        createTodo(core, todoInput()); // delivered, but its cursor cannot be saved: a fault, then starts that cannot read the state
        await vi.waitFor(() => expect(faults.length).toBeGreaterThanOrEqual(count), { timeout: 10_000, interval: 10 });
        core.sqlite.exec('ALTER TABLE settings_away RENAME TO settings');
      };

      await deliveredAndSaved(receiver, core.sqlite, createTodo(core, todoInput()).todo.id);
      await storeAwayUntilFaults(3);
      expect(faults.slice(0, 3).map((f) => [f.faults, f.retryInMs])).toEqual([[1, 20], [2, 40], [3, 80]]);
      // Back: a clean start, and the next todo goes out.
      await deliveredAndSaved(receiver, core.sqlite, createTodo(core, todoInput()).todo.id);
      const before = faults.length;
      await storeAwayUntilFaults(before + 1);
      expect(faults[before]).toMatchObject({ faults: 1, retryInMs: 20 });
    } finally {
      await sender.stop();
    }
  });

  it('goes on from its saved cursor after kill -9, with what the CLI wrote meanwhile; a new URL starts at the newest event', async () => {
    using dir = tempDir('swarmtask-webhook-');
    const data = join(dir.path, 'data');
    const spec = writeExampleSpec(dir.path);
    const receiverPort = await freePort();
    const prefixes = ['todo.created', 'queue.'];
    const env = { SWARMTASK_WEBHOOK_EVENTS: prefixes.join(','), SWARMTASK_WEBHOOK_SECRET: SECRET, SWARMTASK_WEBHOOK_RETRY_MS: '50', SWARMTASK_EVENT_POLL_MS: '50' };
    const add = async () => expect((await runCli(['todo', 'add', spec, '--data', data])).code).toBe(0);
    await add(); // before any webhook: a new receiver does not get history

    let receiver = await startWebhookReceiver([], receiverPort);
    const url = receiver.url;
    let server = await startServerProcess(['--data', data, '--port', '0'], { ...env, SWARMTASK_WEBHOOK_URL: url });
    try {
      await add();
      await add();
      await vi.waitFor(() => expect(receiver.delivered()).toHaveLength(2), { timeout: 15_000, interval: 20 });
      const startedAt = receiver.delivered()[0]!.id - 1;
      // Killed once the cursor is saved (killed between the receiver's answer and the save, the
      // batch would rightly be sent again: delivery is at least once).
      await vi.waitFor(() => expect(savedCursor(data)).toBeGreaterThanOrEqual(receiver.delivered().at(-1)!.id), { timeout: 15_000, interval: 20 });
      await server.kill('SIGKILL');
      await receiver[Symbol.asyncDispose]();

      // While the coordinator is down: more work and a pause, written by the CLI to the data dir.
      await add();
      expect((await runCli(['pause', '--data', data, '--reason', 'upgrade'])).code).toBe(0);
      receiver = await startWebhookReceiver([], receiverPort);
      server = await startServerProcess(['--data', data, '--port', '0'], { ...env, SWARMTASK_WEBHOOK_URL: url });
      await add(); // and after the restart, while it catches up
      const expected = matchingEvents(data, prefixes, startedAt);
      expect(expected.map((e) => e.type)).toEqual(['todo.created', 'todo.created', 'todo.created', 'queue.paused', 'todo.created']);
      await vi.waitFor(() => expect(receiver.delivered()).toHaveLength(3), { timeout: 15_000, interval: 20 });
      // Nothing lost, nothing twice: the second receiver got exactly what the first did not.
      expect(receiver.delivered().map((e) => e.id)).toEqual(expected.slice(2).map((e) => e.id));
      await server.kill('SIGTERM');
      await receiver[Symbol.asyncDispose]();

      // Another URL: only what happens from now on.
      await add();
      await using other = await startWebhookReceiver();
      server = await startServerProcess(['--data', data, '--port', '0'], { ...env, SWARMTASK_WEBHOOK_URL: other.url });
      const fresh = JSON.parse((await runCli(['todo', 'add', spec, '--data', data, '--json'])).stdout) as { id: number };
      await vi.waitFor(() => expect(other.delivered().map((e) => [e.type, e.todoId])).toEqual([['todo.created', fresh.id]]), { timeout: 15_000, interval: 20 });
    } finally {
      await server.kill('SIGTERM');
      await receiver[Symbol.asyncDispose]();
    }
  });

  it('swarmtask webhook ping sends one signed test delivery and says how the receiver answered', async () => {
    await using receiver = await startWebhookReceiver([{ status: 204 }, { status: 503, body: 'down for maintenance' }]);
    const env = { SWARMTASK_WEBHOOK_SECRET: SECRET, SWARMTASK_WEBHOOK_URL: receiver.url };
    const ok = await runCli(['webhook', 'ping'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^${receiver.url} answered 2xx in \\d+ ms to a signed webhook\\.ping\n$`));
    const [request] = receiver.requests;
    expect(request!.parsed.events).toEqual([expect.objectContaining({ id: 0, type: 'webhook.ping', todoId: null })]);
    expect(verifyWebhookSignature(SECRET, request!.headers[WEBHOOK_SIGNATURE_HEADER] as string, request!.body)).toMatchObject({ ok: true });

    const failed = await runCli(['webhook', 'ping', '--url', receiver.url, '--json'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, error: 'HTTP 503 Service Unavailable: down for maintenance', signed: true });
    expect((await runCli(['webhook', 'ping'], { SWARMTASK_WEBHOOK_URL: '' })).code).toBe(2);
    expect(await runCli(['webhook', 'ping', '--url', 'ftp://x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--url must be an http:// or https:// URL') });
  });

  it('refuses a bad webhook setting at start-up, naming the variable, and hides the secret in config', async () => {
    const badUrl = await runCli(['config'], { SWARMTASK_WEBHOOK_URL: 'ftp://example.com/hook' });
    expect(badUrl).toMatchObject({ code: 2, stderr: expect.stringContaining('SWARMTASK_WEBHOOK_URL: must be an http:// or https:// URL') });
    const badEvents = await runCli(['config'], { SWARMTASK_WEBHOOK_EVENTS: 'todo.failed,Rounds!' });
    expect(badEvents).toMatchObject({ code: 2, stderr: expect.stringContaining('SWARMTASK_WEBHOOK_EVENTS: must be 1 to 20 event type prefixes') });
    const shortSecret = await runCli(['config'], { SWARMTASK_WEBHOOK_SECRET: 'short' });
    expect(shortSecret).toMatchObject({ code: 2, stderr: expect.stringContaining('SWARMTASK_WEBHOOK_SECRET: must be at least 16 characters') });
    const shown = await runCli(['config', '--json'], { SWARMTASK_WEBHOOK_URL: 'https://hooks.example.com/x', SWARMTASK_WEBHOOK_SECRET: SECRET });
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain(SECRET);
    const settings = (JSON.parse(shown.stdout) as { settings: { variable: string; value: unknown }[] }).settings;
    expect(settings.find((s) => s.variable === 'SWARMTASK_WEBHOOK_SECRET')?.value).toBe('(set, hidden)');
    expect(settings.find((s) => s.variable === 'SWARMTASK_WEBHOOK_URL')?.value).toBe('https://hooks.example.com/x');
  });
});
