import { CliError } from './output.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `2h`, `7d` (that long ago) or an ISO 8601 date-time, as ms since the epoch; anything else exits 2 naming the flag. */
export function parseSince(flag: string, value: string, now = Date.now()): number {
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new CliError(`${flag} must be a duration like 30m, 2h or 7d, or an ISO date-time, got "${value}"`, 2);
  return at;
}
