import { describe, expect, it } from 'vitest';
import { WindowAggregator } from '../../lib/aggregate';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { metricRow } from './fixtures';

const sellers = new Map([
  ['s-1', 0],
  ['s-2', 1],
]);
// Two overlapping windows, as in a monthly job: scoring inside service.
const windows = {
  scoring: { start: '2026-02-01', end: '2026-02-28' },
  service: { start: '2025-12-01', end: '2026-02-28' },
};

function sumOf(agg: WindowAggregator<'scoring' | 'service'>, window: 'scoring' | 'service', seller: number, field: keyof typeof F): number {
  return agg.totals[window].sums[seller * FIELD_COUNT + F[field]]!;
}

describe('WindowAggregator', () => {
  it('folds a row into every window that contains its date and no other', () => {
    const agg = new WindowAggregator(sellers, windows);
    expect(agg.add(metricRow('s-1', '2026-02-10', { orders: 7 }))).toBeNull(); // in both
    expect(agg.add(metricRow('s-1', '2026-01-10', { orders: 5 }))).toBeNull(); // service only
    expect(agg.add(metricRow('s-2', '2025-12-01', { orders: 3 }))).toBeNull(); // service only, first day
    expect(sumOf(agg, 'scoring', 0, 'orders')).toBe(7);
    expect(sumOf(agg, 'service', 0, 'orders')).toBe(7 + 5);
    expect(sumOf(agg, 'scoring', 1, 'orders')).toBe(0);
    expect(sumOf(agg, 'service', 1, 'orders')).toBe(3);
    expect(agg.rowsUsed).toBe(3);
  });

  it('sums every field over the days of a window', () => {
    const agg = new WindowAggregator(sellers, windows);
    agg.add(metricRow('s-2', '2026-02-01', { orders: 4, gmvCents: 1_000, visitors: 30 }));
    agg.add(metricRow('s-2', '2026-02-28', { orders: 6, gmvCents: 2_500, visitors: 70 }));
    expect(sumOf(agg, 'scoring', 1, 'orders')).toBe(10);
    expect(sumOf(agg, 'scoring', 1, 'gmvCents')).toBe(3_500);
    expect(sumOf(agg, 'scoring', 1, 'visitors')).toBe(100);
    expect(Array.from(agg.gmvCents('scoring'))).toEqual([0, 3_500]);
  });

  it('ignores rows outside every window without validating them, even when they are invalid', () => {
    const agg = new WindowAggregator(sellers, windows);
    expect(agg.add(metricRow('s-1', '2025-11-30', { orders: 1 }))).toBeNull(); // the day before the service window
    expect(agg.add(metricRow('s-1', '2026-03-01', { orders: 1 }))).toBeNull(); // the day after
    expect(agg.add({ ...metricRow('s-1', '2026-03-01'), positiveRatings: 5 })).toBeNull(); // invalid, but not this job's
    expect(agg.add(metricRow('s-9', '2026-03-02'))).toBeNull(); // unknown seller, but not this job's
    expect(agg.quarantined).toEqual([]);
    expect(agg.rowsRead).toBe(4);
    expect(agg.rowsUsed).toBe(0);
    expect(sumOf(agg, 'service', 0, 'orders')).toBe(0);
  });

  it('quarantines an invalid row inside a window with its key and reason, and uses none of it', () => {
    const agg = new WindowAggregator(sellers, windows);
    const record = agg.add(metricRow('s-1', '2026-02-10', { orders: 5, ratings: 2, positiveRatings: 3 }));
    expect(record).toEqual({
      kind: 'quarantine',
      source: 'metrics',
      key: { sellerId: 's-1', date: '2026-02-10' },
      reason: 'seller s-1, 2026-02-10: positiveRatings (3) > ratings (2)',
    });
    expect(agg.quarantined).toEqual([record]);
    expect(sumOf(agg, 'scoring', 0, 'orders')).toBe(0); // never half-used
  });

  it('quarantines a row whose date is not a calendar date, wherever it would fall', () => {
    const agg = new WindowAggregator(sellers, windows);
    const record = agg.add(metricRow('s-1', '2026-02-30', { orders: 5 }));
    expect(record?.reason).toBe('seller s-1, 2026-02-30: date is not a calendar date (YYYY-MM-DD)');
    expect(record?.key).toEqual({ sellerId: 's-1', date: '2026-02-30' });
    // 1999-02-30 is far outside the windows, but it is not a date: it is validated and quarantined.
    expect(agg.add(metricRow('s-1', '1999-02-30'))).not.toBeNull();
    expect(agg.quarantined).toHaveLength(2);
  });

  it('keeps the first row of a repeated (seller, date) and quarantines the repeat', () => {
    const agg = new WindowAggregator(sellers, windows);
    expect(agg.add(metricRow('s-1', '2026-02-10', { orders: 5 }))).toBeNull();
    const repeat = agg.add(metricRow('s-1', '2026-02-10', { orders: 50 }));
    expect(repeat?.reason).toBe('seller s-1, 2026-02-10: repeats the key (sellerId, date) of an earlier row; the first one stands');
    expect(sumOf(agg, 'scoring', 0, 'orders')).toBe(5);
    // The same date of another seller is a different key.
    expect(agg.add(metricRow('s-2', '2026-02-10', { orders: 1 }))).toBeNull();
    expect(agg.quarantined).toHaveLength(1);
  });

  it('quarantines a row of an unknown seller', () => {
    const agg = new WindowAggregator(sellers, windows);
    const record = agg.add(metricRow('s-9', '2026-02-10', { orders: 5 }));
    expect(record?.reason).toBe('seller s-9, 2026-02-10: unknown seller');
    expect(agg.rowsUsed).toBe(0);
  });

  it('reports one quarantine record per bad row, in the order read', () => {
    const agg = new WindowAggregator(sellers, windows);
    agg.add(metricRow('s-9', '2026-02-10'));
    agg.add(metricRow('s-1', '2026-02-10', { orders: -1 }));
    agg.add(metricRow('s-2', '2026-02-10'));
    agg.add(metricRow('s-2', '2026-02-10'));
    expect(agg.quarantined.map((q) => q.reason)).toEqual([
      'seller s-9, 2026-02-10: unknown seller',
      'seller s-1, 2026-02-10: orders (-1) is negative',
      'seller s-2, 2026-02-10: repeats the key (sellerId, date) of an earlier row; the first one stands',
    ]);
    expect(agg.rowsRead).toBe(4);
    expect(agg.rowsUsed).toBe(1);
  });

  it('gives the same sums whatever the order of distinct valid rows', () => {
    const rows = [
      metricRow('s-1', '2026-02-03', { orders: 2, gmvCents: 700 }),
      metricRow('s-2', '2026-01-15', { orders: 9, gmvCents: 100 }),
      metricRow('s-1', '2025-12-24', { orders: 4, gmvCents: 50 }),
      metricRow('s-2', '2026-02-28', { orders: 1, gmvCents: 5 }),
    ];
    const forward = new WindowAggregator(sellers, windows);
    const backward = new WindowAggregator(sellers, windows);
    rows.forEach((r) => forward.add(r));
    [...rows].reverse().forEach((r) => backward.add(r));
    expect(Array.from(backward.totals.scoring.sums)).toEqual(Array.from(forward.totals.scoring.sums));
    expect(Array.from(backward.totals.service.sums)).toEqual(Array.from(forward.totals.service.sums));
  });
});
