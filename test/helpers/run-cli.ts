import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';

export const CLI = fileURLToPath(new URL('../../bin/swarmtask.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `swarmtask` command in a child process; `stdin`, when given, is piped in. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string, stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

export interface CliProcess {
  /** Lines printed so far, as they arrive. */
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a long-running `swarmtask` command (`events --follow`, …) and collects its lines. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout, stderr, exited, kill: (signal = 'SIGINT') => void child.kill(signal) };
}

/** The original example work item (DESIGN Appendix A) as `dir/spec.json`, as `todo add` takes it. */
export function writeExampleSpec(dir: string): string {
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(EXAMPLE_SWARM_SPEC));
  return file;
}
