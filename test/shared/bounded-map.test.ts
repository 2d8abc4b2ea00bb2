import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../shared/bounded-map.js';

describe('BoundedMap', () => {
  it('holds at most its limit, forgetting the oldest key first', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, i);
    expect([...map]).toEqual([['c', 2], ['d', 3], ['e', 4]]);
  });

  it('updating a key it holds forgets nothing', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('b', 3);
    expect(Object.fromEntries(map)).toEqual({ a: 1, b: 3 });
  });
});
