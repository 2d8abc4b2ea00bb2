import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/coordinator.js';
import { startServerProcess } from '../helpers/processes.js';

const messages = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { msg: string }).msg)
    : [];

describe('--log-file and log rotation', () => {
  it('on SIGHUP the server reopens its log file (after logrotate renamed it) and keeps serving; its last lines reach the new file', async () => {
    using dir = tempDir();
    const logFile = join(dir.path, 'logs', 'coordinator.log');
    const server = await startServerProcess(['--port', '0', '--data', join(dir.path, 'data'), '--log-file', logFile], { SWARMTASK_LOG_LEVEL: 'info' });
    try {
      await vi.waitFor(() => expect(messages(logFile).length).toBeGreaterThan(0), { timeout: 10_000, interval: 50 });
      const rotated = `${logFile}.1`;
      renameSync(logFile, rotated);
      server.child.kill('SIGHUP');
      await vi.waitFor(() => expect(messages(logFile)).toContain('log file reopened'), { timeout: 10_000, interval: 50 });
      expect(messages(rotated)).not.toContain('log file reopened');
      // SIGHUP would end a process without a handler; this one still answers.
      expect((await fetch(`${server.url}/healthz/`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.kill('SIGTERM');
    }
    expect(server.child.exitCode).toBe(0);
    // Written asynchronously, flushed on exit: the shutdown line is in the new file.
    expect(messages(logFile)).toContain('shutting down');
  });
});
