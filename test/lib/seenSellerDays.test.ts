import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../lib/calendar';
import { SeenSellerDays } from '../../lib/seenSellerDays';

describe('SeenSellerDays: the first-one-stands keys of metric rows', () => {
  it('answers like a set of (seller, date) strings, whatever the order and spread of the dates (property)', () => {
    const key = fc.record({ seller: fc.constantFrom('s-1', 's-2', 'constructor', '__proto__'), offset: fc.integer({ min: -6000, max: 6000 }) });
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), (keys) => {
        const seen = new SeenSellerDays();
        const reference = new Set<string>();
        for (const { seller, offset } of keys) {
          const date = addDays('2020-02-29', offset);
          const fresh = !reference.has(`${seller}|${date}`);
          reference.add(`${seller}|${date}`);
          expect(seen.add(seller, date)).toBe(fresh);
        }
      }),
    );
  });

  it('keeps a date once seen when the span widens on both sides', () => {
    const seen = new SeenSellerDays();
    expect(seen.add('s-1', '2026-03-01')).toBe(true);
    expect(seen.add('s-1', '2015-01-01')).toBe(true);
    expect(seen.add('s-1', '2030-12-31')).toBe(true);
    for (const date of ['2026-03-01', '2015-01-01', '2030-12-31']) expect(seen.add('s-1', date)).toBe(false);
    expect(seen.add('s-1', '2026-03-02')).toBe(true);
  });
});
