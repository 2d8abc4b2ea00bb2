/** $SWARMS amounts are integer base units (DESIGN §3): 1 SWARMS = 10^9 base units, never floats. */
export const BASE_UNITS_PER_SWARMS = 1_000_000_000;

/**
 * "1,600 SWARMS" for 1.6e12 base units; fractions keep up to 9 digits. Whole and fraction are
 * split in integers, because base units / 10^9 as a float loses the last digits past ~9M SWARMS.
 */
export function formatSwarms(baseUnits: number): string {
  const sign = baseUnits < 0 ? '-' : '';
  const units = Math.abs(baseUnits);
  const whole = Math.floor(units / BASE_UNITS_PER_SWARMS);
  const fraction = String(units % BASE_UNITS_PER_SWARMS).padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole.toLocaleString('en-US')}${fraction ? `.${fraction}` : ''} SWARMS`;
}

/**
 * Decimal SWARMS ("250", "0.5"; at most 9 decimals) as integer base units, exactly (no float
 * rounding). Null for anything else: negative, an exponent, more decimals, too large.
 */
export function parseSwarms(text: string): number | null {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) return null;
  const units = BigInt(match[1]!) * BigInt(BASE_UNITS_PER_SWARMS) + BigInt((match[2] ?? '').padEnd(9, '0'));
  return units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : null;
}
