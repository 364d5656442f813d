import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricSpill } from '../../functions/jobs/metricSpill';
import { addDays } from '../../lib/calendar';
import { METRIC_FIELDS, type MetricRow } from '../../lib/metrics';

describe('MetricSpill: an import’s valid rows on disk, block by block', () => {
  it('gives back every row added, by block and date, values exact up to 2^53 - 1 (property)', () => {
    const value = fc.oneof(fc.nat(300), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));
    const row = fc.record({
      block: fc.constantFrom('block-0000', 'block-0001'),
      slot: fc.nat(255),
      day: fc.integer({ min: -40_000, max: 40_000 }),
      values: fc.array(value, { minLength: METRIC_FIELDS.length, maxLength: METRIC_FIELDS.length }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 400 }), (rows) => {
        const spill = new MetricSpill();
        try {
          const expected = new Map<string, Map<string, [number, Record<string, number>][]>>();
          for (const r of rows) {
            const date = addDays('1970-01-01', r.day);
            const values = Object.fromEntries(METRIC_FIELDS.map((f, i) => [f, r.values[i]!]));
            spill.add(r.block, r.slot, { sellerId: 's', date, ...values } as MetricRow);
            const byDate = expected.get(r.block) ?? expected.set(r.block, new Map()).get(r.block)!;
            (byDate.get(date) ?? byDate.set(date, []).get(date)!).push([r.slot, values]);
          }
          expect(spill.blocks().sort()).toEqual([...expected.keys()].sort());
          for (const [block, byDate] of expected) expect(spill.rows(block)).toEqual(byDate);
        } finally {
          spill.close();
        }
      }),
      { numRuns: 50 },
    );
  });
});
