import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE_UNITS_PER_SWARMS, formatSwarms, parseSwarms } from '../../shared/swarms-units.js';

describe('SWARMS amounts', () => {
  it('parses decimal SWARMS into exact base units', () => {
    expect(parseSwarms('250')).toBe(250 * BASE_UNITS_PER_SWARMS);
    expect(parseSwarms('0.5')).toBe(500_000_000);
    expect(parseSwarms('0.000000001')).toBe(1);
    // 0.1 + 0.2 in floats is not 0.3; in base units it is.
    expect(parseSwarms('0.3')).toBe(300_000_000);
    expect(parseSwarms(' 7 ')).toBe(7 * BASE_UNITS_PER_SWARMS);
    expect(parseSwarms('9007199.254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses what is not a plain amount', () => {
    for (const bad of ['', '-1', '1e3', '0.0000000001', '1.', '.5', 'abc', '1,000', '9007199.254740992', 'Infinity']) {
      expect(parseSwarms(bad), bad).toBeNull();
    }
  });

  it('prints amounts exactly, past what a float of SWARMS holds', () => {
    expect(formatSwarms(1_600 * BASE_UNITS_PER_SWARMS)).toBe('1,600 SWARMS');
    expect(formatSwarms(500_000_000)).toBe('0.5 SWARMS');
    expect(formatSwarms(0)).toBe('0 SWARMS');
    expect(formatSwarms(-2_500_000_000)).toBe('-2.5 SWARMS');
    expect(formatSwarms(8_418_938_177_645_546)).toBe('8,418,938.177645546 SWARMS');
  });

  it('reads back what formatSwarms prints (without separators)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (units) => {
        const printed = formatSwarms(units).replace(/ SWARMS$/, '').replaceAll(',', '');
        expect(parseSwarms(printed)).toBe(units);
      }),
    );
  });
});
