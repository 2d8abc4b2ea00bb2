import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/coordinator.js';
import { CLI, runCli, type CliResult } from '../helpers/run-cli.js';

/** A line of `up`'s output without its time stamp ("6:30:21 AM  …"). */
const text = (line: string) => line.replace(/^\S+ [AP]M {2}|^\S+ {2}/, '');

describe('swarmtask up (what `npm start` runs)', () => {
  it('carries the example work item from claim to a signed payout list, shows each step, and stops its workers on SIGINT', { timeout: 150_000 }, async () => {
    using dir = tempDir();
    // Short rounds so the payout comes within seconds; everything else is `npm start` as shipped.
    const up = spawn(process.execPath, [CLI, 'up', '--port', '0', '--round-ms', '2000', '--data', dir.path], {
      cwd: dir.path,
      env: withoutVariables(process.env, ['SWARMTASK_MODEL_MAP', 'SWARMTASK_PORT', 'SWARMTASK_DATA_DIR']),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let pending = '';
    up.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop()!;
      lines.push(...complete.map(text));
    });
    up.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(up, 'exit');
    // The four demo todos may be paid in one round or split over two, depending on timing.
    const paid = () =>
      lines.reduce((sum, l) => sum + Number(/payout list signed and stored: \S+ \(total ([\d,]+) SWARMS\)$/.exec(l)?.[1]?.replace(/,/g, '') ?? 0), 0);
    let verified: CliResult | undefined;
    try {
      await vi.waitFor(() => expect(paid(), lines.join('\n')).toBe(1600), { timeout: 110_000, interval: 100 });
      // The hint after the first paying list is a command that works, as printed.
      const hint = lines.find((l) => l.startsWith('check it as a node runner would (no API key): npx swarmtask '));
      expect(hint, lines.join('\n')).toBeDefined();
      verified = await runCli(hint!.slice(hint!.indexOf('npx swarmtask ') + 'npx swarmtask '.length).split(' '));
    } finally {
      up.kill('SIGINT');
    }
    const [code] = await exited;

    // Each stage is looked for after the previous one: with the four demo todos split over two
    // rounds, an earlier round's tally and payout lines can come before todo 1's audit.
    let from = 0;
    const step = (pattern: RegExp) => {
      const index = lines.findIndex((l, i) => i >= from && pattern.test(l));
      expect(index, `no line after line ${from} matches ${pattern}:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      from = index + 1;
    };
    // The original system's example item, through every stage in order.
    step(/^enqueued todo 1: Financial Analysis Swarm \(ConcurrentWorkflow\)$/);
    step(/^todo 1 claimed by worker-\d \(attempt 1\)$/);
    step(/^todo 1 swarm finished on worker-\d; result and signed proof stored on IPFS$/);
    step(/^todo 1 submitted by worker-\d for round \d+/);
    step(/^todo 1 audit assigned to worker-\d$/);
    step(/^todo 1 audit by worker-\d: approve \(all checks passed: submission CID matches its bytes; signed…\)$/);
    step(/^todo 1 approved: worker-\d earns 400 SWARMS$/);
    step(/^round \d+ tallied: [1-4] approved, 0 rejected$/);
    step(/payout list signed and stored: \S+ \(total [\d,]+ SWARMS\)$/);
    // The demo todos are announced once, by name (not again as bare "queued" events).
    expect(lines.filter((l) => /^todo \d+ queued$/.test(l))).toEqual([]);
    // Rounds without work are tallied too, but print nothing.
    expect(lines.filter((l) => /tallied: 0 approved, 0 rejected|total 0 SWARMS/.test(l))).toEqual([]);

    expect(verified!.stderr).toBe('');
    expect(verified!.stdout).toMatch(/^payout list \S+ verified\n/);
    expect(verified!.stdout).toMatch(/^ {2}your key +[\d,]+ SWARMS \(\w+\)$/m);

    expect(lines.at(-1)).toBe('stopping workers…');
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

function withoutVariables(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}
