import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { CLI } from './run-cli.js';

export interface Proc {
  child: ChildProcess;
  /** Lines printed so far on stdout and stderr (for failure messages). */
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function track(child: ChildProcess): Proc {
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  return {
    child,
    output,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `swarmtask server` as its own process; resolves once it prints its URL. */
export async function startServerProcess(args: string[], env: Record<string, string> = {}): Promise<Proc & { url: string }> {
  const child = spawn(process.execPath, [CLI, 'server', '--json', ...args], {
    env: { ...process.env, SWARMTASK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${proc.output.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) resolve(event.url);
      } catch {
        // not JSON
      }
    });
  });
  return { ...proc, url };
}

/** `swarmtask worker` as its own process. */
export function startWorkerProcess(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, 'worker', '--json', ...args], {
    env: { ...process.env, SWARMTASK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}
