import { CliError } from './output.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)([smhd])$/;

function durationMs(value: string): number | null {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

function isoMs(value: string): number {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
}

/** `30m`, `2h`, `7d` (that long ago) or an ISO 8601 date-time, as ms since the epoch; anything else exits 2 naming the flag. */
export function parseSince(flag: string, value: string, now = Date.now()): number {
  const ago = durationMs(value);
  if (ago !== null) return now - ago;
  const at = isoMs(value);
  if (Number.isNaN(at)) throw new CliError(`${flag} must be a duration like 30m, 2h or 7d, or an ISO date-time, got "${value}"`, 2);
  return at;
}

/** `now`, `30m`, `2h`, `1d` (that long from now) or an ISO 8601 date-time, as ms since the epoch; anything else exits 2 naming the flag. */
export function parseAt(flag: string, value: string, now = Date.now()): number {
  if (value === 'now') return now;
  const delay = durationMs(value);
  if (delay !== null) return now + delay;
  const at = isoMs(value);
  if (Number.isNaN(at)) throw new CliError(`${flag} must be now, a delay like 30m, 2h or 1d, or an ISO date-time, got "${value}"`, 2);
  return at;
}

/** `90s`, `10m`, `2h`: a length of time in ms; anything else exits 2 naming the flag. */
export function parseDuration(flag: string, value: string): number {
  const ms = durationMs(value);
  if (ms === null || ms <= 0) throw new CliError(`${flag} must be a duration like 90s, 10m or 2h, got "${value}"`, 2);
  return ms;
}
