import pino, { type Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Also append JSON lines to this file. */
  file?: string | undefined;
  /** Human-readable output when stderr is a terminal (default: detect). */
  pretty?: boolean;
}

/** JSON logs on stderr (readable on a TTY), optionally mirrored to a file. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const targets: pino.TransportTargetOptions[] = [
    pretty
      ? { target: 'pino-pretty', level: options.level, options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } }
      : { target: 'pino/file', level: options.level, options: { destination: 2 } },
  ];
  if (options.file) targets.push({ target: 'pino/file', level: options.level, options: { destination: options.file, mkdir: true } });
  if (!pretty && !options.file) return pino({ level: options.level }, pino.destination({ fd: 2, sync: false }));
  return pino({ level: options.level }, pino.transport({ targets }));
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
