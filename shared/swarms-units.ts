/** $SWARMS amounts are integer base units (DESIGN §3): 1 SWARMS = 10^9 base units, never floats. */
export const BASE_UNITS_PER_SWARMS = 1_000_000_000;

/** "1,600 SWARMS" for 1.6e12 base units; fractions keep up to 9 digits. */
export function formatSwarms(baseUnits: number): string {
  return `${(baseUnits / BASE_UNITS_PER_SWARMS).toLocaleString('en-US', { maximumFractionDigits: 9 })} SWARMS`;
}
