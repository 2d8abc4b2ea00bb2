import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export interface LoggerOptions {
  level: string;
  /** Also append JSON lines to this file. */
  file?: string | undefined;
  /** Human-readable output when stderr is a terminal (default: detect). */
  pretty?: boolean;
  /**
   * Reopen `file` on this signal (log rotation: logrotate renames the file, then signals). Without
   * a handler SIGHUP would end the process, and without a reopen the logs would go on into the
   * renamed file.
   */
  reopenFileOn?: NodeJS.Signals;
}

const require = createRequire(import.meta.url);

/** JSON logs on stderr (readable on a TTY), optionally mirrored to a file. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  // Loaded only for a terminal: admin commands log JSON and need not pay for it.
  const stderr = pretty
    ? (require('pino-pretty') as typeof PinoPretty)({ destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
    : pino.destination({ fd: 2, sync: false });
  if (!options.file) return pino({ level: options.level }, stderr);
  // On the main thread (not a transport's worker) so it can be reopened; pino flushes it on exit.
  const file = pino.destination({ dest: options.file, mkdir: true, sync: false });
  const log = pino({ level: options.level }, pino.multistream([{ level: options.level as pino.Level, stream: stderr }, { level: options.level as pino.Level, stream: file }]));
  if (options.reopenFileOn) {
    const signal = options.reopenFileOn;
    process.on(signal, () => {
      file.reopen();
      log.info({ signal, file: options.file }, 'log file reopened');
    });
  }
  return log;
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
