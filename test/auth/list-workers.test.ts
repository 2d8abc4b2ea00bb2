import { describe, expect, it } from 'vitest';
import { generateKeypair } from '../../shared/keypair.js';
import { ListWorkersInputSchema, type WorkerSort } from '../../shared/worker-schemas.js';
import { listWorkers, summarizeWorkers } from '../../server/auth/list-workers.js';
import { registerWorker, setStake, touchWorker } from '../../server/auth/workers.js';
import { apiClient, errorData, expectTrpcError, openTestCore, rawTrpc } from '../helpers/api.js';
import { startTestCoordinator } from '../helpers/coordinator.js';
import type { Core } from '../../server/core.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

/** Every page of a listing, in order, following `nextAfter` until it is null. */
function allPages(core: Core, sort: WorkerSort, limit: number): string[][] {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = listWorkers(core, ListWorkersInputSchema.parse({ sort, limit, ...(after === undefined ? {} : { after }) }));
    pages.push(page.workers.map((w) => w.stakingKey));
    after = page.nextAfter ?? undefined;
    // A cursor that does not move on would page forever: fail instead.
    if (pages.length > 50) throw new Error(`still paging after 50 pages: ${JSON.stringify(pages.slice(-3))}`);
  } while (after !== undefined);
  return pages;
}

/**
 * Seven workers: registered a minute apart, two of them in the same millisecond (the staking key
 * breaks the tie), seen at various times, one seen twice at the same moment as another, two never.
 */
function seedWorkers(core: Core): { key: string; registeredAt: number; lastSeenAt: number | null }[] {
  const seen = [5, null, 2, 5, null, 9, 1];
  return seen.map((minutesAgo, i) => {
    const key = generateKeypair().publicKeyBase58;
    const registeredAt = NOW - 60 * MINUTE + Math.min(i, 5) * MINUTE; // workers 5 and 6 register together
    registerWorker(core, { stakingKey: key }, registeredAt);
    core.sqlite.prepare('UPDATE workers SET last_seen_at = ? WHERE staking_key = ?').run(minutesAgo === null ? null : NOW - minutesAgo * MINUTE, key);
    return { key, registeredAt, lastSeenAt: minutesAgo === null ? null : NOW - minutesAgo * MINUTE };
  });
}

describe('listing workers a page at a time', () => {
  it('pages through every worker exactly once, oldest registration first, ties broken by key', () => {
    using core = openTestCore();
    const workers = seedWorkers(core);
    const expected = [...workers].sort((a, b) => a.registeredAt - b.registeredAt || (a.key < b.key ? -1 : 1)).map((w) => w.key);
    for (const limit of [1, 2, 3, 7, 100]) {
      const pages = allPages(core, 'registered', limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(expected);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
      expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
  });

  it('sorts by last seen, newest first, never-seen workers last, and pages through that order too', () => {
    using core = openTestCore();
    const workers = seedWorkers(core);
    const expected = [...workers]
      .sort((a, b) => (b.lastSeenAt ?? -1) - (a.lastSeenAt ?? -1) || (a.key < b.key ? -1 : 1))
      .map((w) => w.key);
    expect(workers.find((w) => w.key === expected[0])!.lastSeenAt).toBe(NOW - MINUTE);
    for (const limit of [1, 2, 4, 100]) expect(allPages(core, 'lastSeen', limit).flat(), `limit ${limit}`).toEqual(expected);
    // The last two are the never-seen ones.
    expect(new Set(expected.slice(-2))).toEqual(new Set(workers.filter((w) => w.lastSeenAt === null).map((w) => w.key)));
  });

  it('a cursor goes on where its page ended when workers register in between', () => {
    using core = openTestCore();
    const workers = seedWorkers(core);
    const first = listWorkers(core, ListWorkersInputSchema.parse({ limit: 3 }));
    const late = generateKeypair().publicKeyBase58;
    registerWorker(core, { stakingKey: late }, NOW);
    const rest = listWorkers(core, ListWorkersInputSchema.parse({ limit: 100, after: first.nextAfter }));
    const listed = [...first.workers, ...rest.workers].map((w) => w.stakingKey);
    expect(new Set(listed)).toEqual(new Set([...workers.map((w) => w.key), late]));
    expect(listed).toHaveLength(workers.length + 1);
    expect(rest.nextAfter).toBeNull();
  });

  it('counts registered, staked and recently active workers in SQL', () => {
    using core = openTestCore();
    expect(summarizeWorkers(core, NOW)).toEqual({ registered: 0, staked: 0, activeLast10Minutes: 0 });
    const workers = seedWorkers(core);
    setStake(core, workers[0]!.key, core.auth.minStake);
    setStake(core, workers[1]!.key, core.auth.minStake * 3);
    setStake(core, workers[2]!.key, core.auth.minStake - 1);
    // Seen 5, 2, 5, 9 and 1 minutes ago: five within 10 minutes; then one more is seen now.
    expect(summarizeWorkers(core, NOW)).toEqual({ registered: 7, staked: 2, activeLast10Minutes: 5 });
    touchWorker(core, workers[1]!.key, NOW);
    expect(summarizeWorkers(core, NOW)).toEqual({ registered: 7, staked: 2, activeLast10Minutes: 6 });
    // Nine and a half minutes on, only the one seen "now" is still recent.
    expect(summarizeWorkers(core, NOW + 9.5 * MINUTE).activeLast10Minutes).toBe(1);
  });
});

describe('workers.list and workers.summary over HTTP', () => {
  it('serve an operator key a page and the counts; a bad cursor or limit is a 400 naming the field', async () => {
    await using t = await startTestCoordinator();
    const keys = [t.stakedWorker(), t.stakedWorker(), t.stakedWorker()].map((k) => k.publicKeyBase58);
    const api = apiClient(t.url, t.apiKey);
    const first = await api.workers.list.query({ limit: 2 });
    expect(first.workers.map((w) => w.stakingKey)).toEqual(keys.slice(0, 2));
    const second = await api.workers.list.query({ limit: 2, after: first.nextAfter! });
    expect(second).toEqual({ workers: [expect.objectContaining({ stakingKey: keys[2] })], nextAfter: null });
    // No input at all is still the first page, oldest first.
    expect((await api.workers.list.query()).workers.map((w) => w.stakingKey)).toEqual(keys);
    expect(await api.workers.summary.query()).toEqual({ registered: 3, staked: 3, activeLast10Minutes: 3 });

    for (const [input, field] of [
      [{ after: 'not-a-cursor' }, 'after'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 501 }, 'limit'],
      [{ sort: 'stake' }, 'sort'],
    ] as const) {
      const response = await rawTrpc(t.url, 'workers.list', { method: 'GET', input, apiKey: t.apiKey });
      expect(response.status, JSON.stringify(input)).toBe(400);
      expect(errorData(response).issues?.map((i) => i.path)).toEqual([field]);
    }
    await expectTrpcError(apiClient(t.url).workers.summary.query(), { code: 'UNAUTHORIZED' });
  });
});
