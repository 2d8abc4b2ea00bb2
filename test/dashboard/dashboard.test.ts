import { describe, expect, it } from 'vitest';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('dashboard', () => {
  it('serves one self-contained page at / that reads the API with the operator key', async () => {
    await using t = await startTestCoordinator();
    const response = await fetch(`${t.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy');
    expect(csp).toMatch(/default-src 'self'/);
    // Only the page's own script runs, allowed by its hash (the browser test shows the hash is right).
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect((await fetch(`${t.url}/favicon.ico`)).status).toBe(204);
    const html = await response.text();
    for (const procedure of ['todos.counts', 'todos.list', 'rounds.current', 'rounds.get', 'events.find', 'workers.list', 'workers.summary']) expect(html).toContain(procedure);
    // The procedures it reads answer to an API key over plain GET, as the page calls them.
    const counts = await fetch(`${t.url}/trpc/todos.counts`, { headers: { 'x-api-key': t.apiKey } });
    expect(counts.status).toBe(200);
    const anonymous = await fetch(`${t.url}/trpc/todos.counts`);
    expect(anonymous.status).toBe(401);
    // It also asks for the last round that paid (none yet here), which short rounds push out of its list.
    expect(html).toContain("['rounds.get', {}]");
    const lastPaid = await fetch(`${t.url}/trpc/rounds.get?input=${encodeURIComponent('{}')}`);
    expect(lastPaid.status).toBe(404);
    expect(((await lastPaid.json()) as { error: { data: unknown } }).error.data).toMatchObject({ code: 'NOT_FOUND', reason: 'ROUND_NOT_FOUND' });
    // The page asks in batches (one GET, answers in order); a round not found fails only its own answer.
    const batchInput = encodeURIComponent(JSON.stringify({ 1: {}, 2: { limit: 5, sort: 'lastSeen' } }));
    const batched = await fetch(`${t.url}/trpc/todos.counts,rounds.get,workers.list?batch=1&input=${batchInput}`, { headers: { 'x-api-key': t.apiKey } });
    const answers = (await batched.json()) as { result?: { data: unknown }; error?: { data: { reason?: string } } }[];
    expect(answers).toHaveLength(3);
    expect(answers[0]!.result!.data).toEqual({});
    expect(answers[1]!.error!.data.reason).toBe('ROUND_NOT_FOUND');
    expect(answers[2]!.result!.data).toEqual({ workers: [], nextAfter: null });
  });
});
