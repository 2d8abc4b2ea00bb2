import { describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { claimTodos, createTodo, declineLeases, getTodo, pauseClaims, resumeClaims } from '../../server/queue/index.js';
import { lastTalliedRound, roundDetail } from '../../server/rounds/index.js';
import { setStake } from '../../server/auth/workers.js';
import { createApiKey } from '../../server/auth/api-keys.js';
import { SwarmSpecSchema } from '../../shared/swarm-spec.js';
import { DEMO_WORK } from '../../client/cli/demo-work.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import { testWorkers } from '../worker/helpers.js';
import { saveWebhookState } from '../../server/webhooks/webhook-state.js';
import { todoInput } from '../helpers/api.js';

/**
 * The page's globals, for functions that run in the browser: this project's TypeScript has no DOM
 * types, and the functions must be self-contained (Playwright sends only their source; a string
 * would be eval'd in the page, which its CSP rightly forbids).
 */
interface PageGlobals {
  document: {
    querySelector(selector: string): { textContent: string | null; className: string } | null;
    querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
  };
  localStorage: { getItem(key: string): string | null };
}

/** The text of every cell of a table's body, row by row, as the page shows them. */
async function tableRows(page: Page, id: string): Promise<string[][]> {
  return page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('dashboard in a real browser', () => {
  it('shows the paid round, its audited submission, the workers, the todo and the event log to an operator key; a wrong key gets the reason', async () => {
    await using t = await startTestCoordinator({ roundMs: 1500 });
    const core = t.coordinator.core;
    await using workers = testWorkers(t);
    for (let i = 0; i < 3; i++) await workers.add();
    const todoId = createTodo(core, { spec: SwarmSpecSchema.parse(DEMO_WORK[0]), priority: 0 }).todo.id;
    await vi.waitFor(() => expect(getTodo(core, todoId).status).toBe('done'), { timeout: 30_000, interval: 100 });
    await vi.waitFor(() => expect(roundDetail(core, lastTalliedRound(core)).distributionCid).not.toBeNull(), { timeout: 20_000, interval: 100 });
    const paid = roundDetail(core, lastTalliedRound(core));
    const [submission] = paid.submissions;

    await using browser = await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${t.url}/#key=${t.apiKey}`);
    await page
      .waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#status')?.textContent?.startsWith('updated'), null, { timeout: 15_000 })
      .catch((error: Error) => {
        throw new Error(`the page never refreshed: ${error.message}\n${problems.join('\n')}`);
      });

    // The key moved from the URL into local storage: it is not left in the address bar or history.
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('swarmtask-key'))).toBe(t.apiKey);
    expect(await page.textContent('#task')).toBe('task test-task');
    // The store's size and the disk room left, as `swarmtask status` shows them.
    expect(await page.textContent('#storage')).toMatch(/^· store \d+(\.\d)? [KMG]iB, (disk LOW: )?\d+(\.\d)? [KMG]iB free/);

    const rounds = await tableRows(page, 'rounds');
    expect(rounds).toContainEqual([String(paid.number), 'tallied', '1', '400 SWARMS', paid.distributionCid]);
    const submissions = await tableRows(page, 'submissions');
    const shown = submissions.find((row) => row[1] === submission!.submissionCid);
    expect(shown, JSON.stringify(submissions)).toEqual([
      String(paid.number),
      submission!.submissionCid,
      String(todoId),
      `${submission!.stakingKey.slice(0, 10)}…`,
      'approved',
      'approve, approve',
    ]);
    const todos = await tableRows(page, 'todos');
    expect(todos.map((row) => row.slice(0, 7))).toEqual([[String(todoId), 'done', 'ConcurrentWorkflow', 'Financial Analysis Swarm', '0', '400 SWARMS', '1/5']]);
    const counts = await page.$$eval('#counts .card', (cards) => cards.map((c) => [c.querySelector('span')?.textContent, c.querySelector('b')?.textContent]));
    expect(counts).toContainEqual(['done', '1']);
    // Every worker, its stake in SWARMS and whether that lets it work; one below the minimum says so.
    const unstaked = t.stakedWorker().publicKeyBase58;
    setStake(core, unstaked, 0);
    await page.waitForFunction(
      (key) => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('#workers tbody tr td:first-child')].some((td) => td.textContent === key),
      unstaked,
      { timeout: 15_000 },
    );
    const workerRows = await tableRows(page, 'workers');
    for (const w of workers.list) expect(workerRows).toContainEqual([w.keypair.publicKeyBase58, '', '1 SWARMS', 'yes', expect.stringMatching(/\d/)]);
    expect(workerRows).toContainEqual([unstaked, '', '0 SWARMS', 'no: below 1 SWARMS', expect.any(String)]);
    expect(await page.textContent('#workersummary')).toBe('4 registered, 3 staked enough to work, 4 active in the last 10 minutes');
    const eventTypes = (await tableRows(page, 'events')).map((row) => row[2]);
    expect(eventTypes).toContain('todo.done');
    expect(problems).toEqual([]);

    // A revoked or mistyped key: the page says why instead of showing stale or empty tables.
    const stranger = await browser.newPage();
    stranger.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await stranger.goto(`${t.url}/#key=sk_not-a-real-key`);
    await stranger.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#status')?.className === 'err', null, { timeout: 15_000 });
    expect(await stranger.textContent('#status')).toMatch(/API key/);
    expect(await tableRows(stranger, 'todos')).toEqual([]);
    // Typing the right key into the form puts the tables back.
    await stranger.fill('#key', t.apiKey);
    await stranger.click('#keyform button');
    await stranger.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#status')?.className === 'muted', null, { timeout: 15_000 });
    expect((await tableRows(stranger, 'todos')).map((row) => row[0])).toEqual([String(todoId)]);
    expect(problems).toEqual([]);
  });

  it('while nothing happens a poll is one small request; a change brings the tables back up to date', async () => {
    await using t = await startTestCoordinator();
    const core = t.coordinator.core;
    for (let i = 0; i < 30; i++) t.stakedWorker();
    // The dashboard only reads: a read-only key is all it needs.
    const readKey = createApiKey(core, 'dashboard', 'read').key;
    await using browser = await launchChromium();
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/trpc/')) requests.push(url.pathname.slice('/trpc/'.length));
    });
    await page.goto(`${t.url}/#key=${readKey}`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#status')?.textContent?.startsWith('updated'), null, { timeout: 15_000 });
    // The first load reads everything in two batched requests: "anything new?", then the tables
    // (a poll may already have followed; the checks below see that it was only a poll).
    expect(requests[0]).toBe('health.check,rounds.current');
    expect(requests[1]!.split(',')).toEqual(expect.arrayContaining(['todos.counts', 'workers.summary', 'workers.list', 'todos.list', 'events.find']));
    // Thirty workers: the summary counts them all, the table shows the 25 seen most recently.
    expect(await page.textContent('#workersummary')).toBe('30 registered, 30 staked enough to work, 30 active in the last 10 minutes; the 25 seen most recently:');
    expect(await tableRows(page, 'workers')).toHaveLength(25);

    // Idle: the next polls ask only whether anything happened.
    await vi.waitFor(() => expect(requests.length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 100 });
    expect(requests.slice(2)).toEqual(requests.slice(2).map(() => 'health.check,rounds.current'));
    // Something happens (a new event): the next poll reads the tables again and shows it.
    const todoId = createTodo(core, { spec: SwarmSpecSchema.parse(DEMO_WORK[0]), priority: 0 }).todo.id;
    await page.waitForFunction(
      (id) => (globalThis as unknown as PageGlobals).document.querySelector('#todos tbody tr td')?.textContent === String(id),
      todoId,
      { timeout: 15_000 },
    );
    expect(await tableRows(page, 'events').then((rows) => rows.map((row) => row[2]))).toContain('todo.created');
    // A node declines it: the todo's row says who and why.
    const node = t.stakedWorker().publicKeyBase58;
    const [lease] = claimTodos(core, { stakingKey: node, max: 1 });
    declineLeases(core, { stakingKey: node }, [{ todoId, leaseToken: lease!.leaseToken, reason: 'needs a model this node does not run' }]);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#todos tbody tr td:last-child')?.textContent?.startsWith('declined by'), null, {
      timeout: 15_000,
    });
    expect(await tableRows(page, 'todos')).toEqual([
      [String(todoId), 'initialized', 'ConcurrentWorkflow', 'Financial Analysis Swarm', '0', '400 SWARMS', '0/5', '', expect.any(String), `declined by ${node.slice(0, 8)}…: needs a model this node does not run`],
    ]);
    // An operator pauses claims: the header says so until they resume.
    pauseClaims(core, 'maintenance');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#task')?.textContent?.includes('claims PAUSED since'), null, { timeout: 15_000 });
    resumeClaims(core);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#task')?.textContent === 'task test-task', null, { timeout: 15_000 });
    // A webhook whose deliveries fail is said there too (its state, as the sender saves it).
    saveWebhookState(core, { url: 'https://hooks.example.com/x', cursor: 1, deliveredAt: null, failing: { since: Date.now(), attempts: 3, error: 'HTTP 503 Service Unavailable' } });
    createTodo(core, todoInput()); // an event: the page reads its tables again
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#task')?.textContent?.includes('webhook FAILING since'), null, { timeout: 15_000 });
    expect(await page.textContent('#task')).toMatch(/ · webhook FAILING since .* \(3 attempts: HTTP 503 Service Unavailable\)$/);

    // The event table takes type prefixes, comma-separated, like `swarmtask events --type`.
    const shownTypes = async () => new Set((await tableRows(page, 'events')).map((row) => row[2]));
    await page.fill('#eventtype', 'queue.');
    await page.dispatchEvent('#eventtype', 'change');
    await vi.waitFor(async () => expect(await shownTypes()).toEqual(new Set(['queue.paused', 'queue.resumed'])), { timeout: 15_000, interval: 200 });
    await page.fill('#eventtype', 'todo.created, queue.resumed');
    await page.dispatchEvent('#eventtype', 'change');
    await vi.waitFor(async () => expect(await shownTypes()).toEqual(new Set(['todo.created', 'queue.resumed'])), { timeout: 15_000, interval: 200 });
    expect(await page.textContent('#eventnote')).toBe('');
  });
});
