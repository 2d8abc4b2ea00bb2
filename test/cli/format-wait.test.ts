import { describe, expect, it } from 'vitest';
import { formatWait } from '../../client/cli/status-view.js';

describe('formatWait', () => {
  it('reads as a person would say it, in whole units, never negative', () => {
    expect(formatWait(-5)).toBe('0 s');
    expect(formatWait(999)).toBe('0 s');
    expect(formatWait(42_500)).toBe('42 s');
    expect(formatWait(60_000)).toBe('1 min 0 s');
    expect(formatWait(3 * 60_000 + 12_000)).toBe('3 min 12 s');
    expect(formatWait(2 * 3_600_000 + 5 * 60_000 + 59_000)).toBe('2 h 5 min');
    expect(formatWait(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });
});
