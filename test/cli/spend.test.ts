import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpendLedger } from '../../client/worker/spend-ledger.js';
import { tempDir } from '../helpers/coordinator.js';
import { runCli } from '../helpers/run-cli.js';

const DAY = 86_400_000;

describe('swarmtask spend', () => {
  it("adds up a node's runs per UTC day, newest first, with a total for the window", async () => {
    using dir = tempDir();
    const dataDir = join(dir.path, 'worker-data');
    const today = Math.floor(Date.now() / DAY) * DAY;
    const ledger = new SpendLedger(dataDir);
    ledger.record({ todoId: 1, at: today + 1000, costUsd: 0.25, tokens: 12_000, calls: 3 });
    ledger.record({ todoId: 2, at: today + 2000, costUsd: 0.05, tokens: 3_000, calls: 1 });
    ledger.record({ todoId: 3, at: today - 2 * DAY + 5, costUsd: 1.1, tokens: 40_000, calls: 9 });
    ledger.record({ todoId: 4, at: today - 9 * DAY, costUsd: 9, tokens: 1, calls: 1 }); // outside a 7-day window
    ledger.close();
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

    const shown = await runCli(['spend', '--data', dataDir]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^day +runs +calls +tokens +spent$/);
    expect(lines.slice(1, 4).map((line) => line.split(/ {2,}/))).toEqual([
      [iso(today), '2', '4', '15,000', '$0.30'],
      [iso(today - 2 * DAY), '1', '9', '40,000', '$1.10'],
      ['7 days', '3', '13', '55,000', '$1.40'],
    ]);
    expect(lines.at(-1)).toBe("(dollars at the price table's rates; models it has no price for, and local ones, count as $0)");

    const json = JSON.parse((await runCli(['spend', '--data', dataDir, '--days', '10', '--json'])).stdout) as { perDay: { day: string }[]; total: { runs: number; costUsd: number } };
    expect(json.perDay.map((d) => d.day)).toEqual([iso(today), iso(today - 2 * DAY), iso(today - 9 * DAY)]);
    expect(json.total).toMatchObject({ runs: 4, costUsd: 10.4 });

    expect((await runCli(['spend', '--data', dataDir, '--days', '0'])).code).toBe(2);
    const none = await runCli(['spend', '--data', join(dir.path, 'elsewhere')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/elsewhere/);
  });
});
