import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DSR_PAIRS, METRIC_FIELDS, PART_OF, checkMetricRow, emptyMetrics, type MetricField } from '../../lib/metrics';
import { metricRow } from './fixtures';

/** A row that passes every rule of SPEC §3.3, with every whole bigger than its parts. */
const goodRow = () =>
  metricRow('s-042', '2026-06-15', {
    orders: 10,
    gmvCents: 123_456,
    visitors: 200,
    productViews: 700,
    activeListings: 50,
    listingsWithSales: 20,
    inStockListings: 45,
    campaignOrders: 3,
    marketsWithOrders: 4,
    trackingOnline72h: 9,
    deliveredOrders: 8,
    deliveryDaysSum: 40,
    unshippedPaidOrders: 1,
    messagesReceived: 12,
    messagesAnswered24h: 11,
    disputesOpened: 1,
    repeatBuyerOrders: 2,
    newFollowers: 5,
    closedOrders: 9,
    badExperienceOrders: 1,
    sellerResponsibleArbitrations: 1,
    ratings: 6,
    positiveRatings: 5,
    dsrDescriptionSum: 14,
    dsrDescriptionCount: 3,
    dsrCommunicationSum: 10,
    dsrCommunicationCount: 2,
    dsrShippingSum: 5,
    dsrShippingCount: 1,
  });

function reasonOf(raw: unknown): string {
  const v = checkMetricRow(raw);
  if (v.valid) throw new Error('expected the row to be invalid');
  return v.reason;
}

describe('checkMetricRow', () => {
  it('accepts a row that meets every rule and returns it with only the known fields', () => {
    const v = checkMetricRow({ ...goodRow(), note: 'extra' });
    expect(v.valid).toBe(true);
    if (v.valid) {
      expect(v.row).toEqual(goodRow());
      expect(Object.keys(v.row)).not.toContain('note');
    }
  });

  it('accepts a row of zeros: a day with no activity', () => {
    expect(checkMetricRow(metricRow('s-1', '2026-06-15')).valid).toBe(true);
  });

  it('refuses something that is not an object', () => {
    expect(reasonOf(null)).toMatch(/not an object/);
    expect(reasonOf([1, 2])).toMatch(/not an object/);
    expect(reasonOf('row')).toMatch(/not an object/);
  });

  describe('missing field', () => {
    it('refuses a row without orders and names seller, date and field', () => {
      const { orders: _, ...row } = goodRow();
      expect(reasonOf(row)).toBe('seller s-042, 2026-06-15: orders is missing');
    });

    it('refuses a null field as missing', () => {
      expect(reasonOf({ ...goodRow(), newFollowers: null })).toBe('seller s-042, 2026-06-15: newFollowers is missing');
    });

    it('refuses a row missing any one of the 29 fields, naming that field', () => {
      for (const field of METRIC_FIELDS) {
        const row: Record<string, unknown> = { ...goodRow() };
        delete row[field];
        expect(reasonOf(row)).toContain(`${field} is missing`);
      }
    });
  });

  describe('negative', () => {
    it('refuses visitors = −1 and accepts visitors = 0', () => {
      expect(reasonOf({ ...goodRow(), visitors: -1 })).toBe('seller s-042, 2026-06-15: visitors (-1) is negative');
      expect(checkMetricRow({ ...goodRow(), visitors: 0 }).valid).toBe(true);
    });
  });

  describe('non-integer', () => {
    it('refuses gmvCents = 12.5 and accepts gmvCents = 12', () => {
      expect(reasonOf({ ...goodRow(), gmvCents: 12.5 })).toBe('seller s-042, 2026-06-15: gmvCents (12.5) is not an integer');
      expect(checkMetricRow({ ...goodRow(), gmvCents: 12 }).valid).toBe(true);
    });

    it('refuses a number written as a string', () => {
      expect(reasonOf({ ...goodRow(), orders: '10' })).toBe('seller s-042, 2026-06-15: orders ("10") is not an integer');
    });

    it('refuses NaN and Infinity', () => {
      expect(reasonOf({ ...goodRow(), productViews: Number.NaN })).toContain('productViews');
      expect(reasonOf({ ...goodRow(), productViews: Number.POSITIVE_INFINITY })).toContain('productViews');
    });
  });

  describe('part <= whole', () => {
    const pairs: [MetricField, MetricField][] = [
      ['listingsWithSales', 'activeListings'],
      ['inStockListings', 'activeListings'],
      ['campaignOrders', 'orders'],
      ['trackingOnline72h', 'orders'],
      ['unshippedPaidOrders', 'orders'],
      ['repeatBuyerOrders', 'orders'],
      ['messagesAnswered24h', 'messagesReceived'],
      ['positiveRatings', 'ratings'],
      ['badExperienceOrders', 'closedOrders'],
      ['sellerResponsibleArbitrations', 'closedOrders'],
    ];

    it('checks exactly the ten pairs of SPEC §3.3', () => {
      expect(PART_OF.map(([p, w]) => [p, w])).toEqual(pairs);
    });

    for (const [part, whole] of pairs) {
      it(`accepts ${part} equal to ${whole} and refuses ${part} one above ${whole}`, () => {
        const row = goodRow();
        const passing = { ...row, [part]: row[whole] };
        const failing = { ...row, [part]: row[whole] + 1 };
        expect(checkMetricRow(passing).valid).toBe(true);
        expect(reasonOf(failing)).toBe(`seller s-042, 2026-06-15: ${part} (${row[whole] + 1}) > ${whole} (${row[whole]})`);
      });
    }
  });

  describe('count <= sum <= 5 × count for each DSR pair', () => {
    it('checks the three DSR pairs', () => {
      expect(DSR_PAIRS.map(([s, c]) => [s, c])).toEqual([
        ['dsrDescriptionSum', 'dsrDescriptionCount'],
        ['dsrCommunicationSum', 'dsrCommunicationCount'],
        ['dsrShippingSum', 'dsrShippingCount'],
      ]);
    });

    for (const [sum, count] of DSR_PAIRS) {
      it(`accepts ${sum} = ${count} (all one-star) and = 5 × ${count} (all five-star) for 4 ratings`, () => {
        expect(checkMetricRow({ ...goodRow(), [count]: 4, [sum]: 4 }).valid).toBe(true);
        expect(checkMetricRow({ ...goodRow(), [count]: 4, [sum]: 20 }).valid).toBe(true);
      });

      it(`refuses ${sum} = 3 below ${count} = 4, and ${sum} = 21 above 5 × 4`, () => {
        expect(reasonOf({ ...goodRow(), [count]: 4, [sum]: 3 })).toBe(
          `seller s-042, 2026-06-15: ${sum} (3) must lie within ${count} (4) and 5 x ${count} (20)`,
        );
        expect(reasonOf({ ...goodRow(), [count]: 4, [sum]: 21 })).toContain(`${sum} (21)`);
      });
    }

    it('refuses stars without ratings (sum 3, count 0)', () => {
      expect(reasonOf({ ...goodRow(), dsrShippingSum: 3, dsrShippingCount: 0 })).toContain('dsrShippingSum (3)');
    });
  });

  describe('date and seller', () => {
    it('refuses 2026-02-29 and accepts 2028-02-29', () => {
      expect(reasonOf({ ...goodRow(), date: '2026-02-29' })).toBe('seller s-042, 2026-02-29: date is not a calendar date (YYYY-MM-DD)');
      expect(checkMetricRow({ ...goodRow(), date: '2028-02-29' }).valid).toBe(true);
    });

    it('refuses a timestamp in place of a date', () => {
      expect(reasonOf({ ...goodRow(), date: '2026-06-15T00:00:00Z' })).toMatch(/date is not a calendar date/);
    });

    it('refuses a missing date', () => {
      const { date: _, ...row } = goodRow();
      expect(reasonOf(row)).toBe('seller s-042, undefined: date is not a calendar date (YYYY-MM-DD)');
    });

    it('refuses a sellerId with a space or of 65 characters, and accepts one of 64', () => {
      expect(reasonOf({ ...goodRow(), sellerId: 's 042' })).toMatch(/sellerId must match/);
      expect(reasonOf({ ...goodRow(), sellerId: 'a'.repeat(65) })).toMatch(/sellerId is 65 characters long; an identifier has at most 64/);
      expect(checkMetricRow({ ...goodRow(), sellerId: 'a'.repeat(64) }).valid).toBe(true);
    });
  });

  it('never accepts a row that breaks a part <= whole rule, whatever the numbers (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PART_OF), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000 }), ([part, whole], w, excess) => {
        const row = { ...goodRow(), [whole]: w, [part]: w + excess };
        return !checkMetricRow(row).valid;
      }),
      { numRuns: 150 },
    );
  });

  it('accepts any row whose parts lie within their wholes and whose DSR sums lie within their counts (property)', () => {
    const n = fc.integer({ min: 0, max: 10_000 });
    fc.assert(
      fc.property(
        fc.array(n, { minLength: METRIC_FIELDS.length, maxLength: METRIC_FIELDS.length }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 }),
        (values, fractions) => {
          const row: Record<string, unknown> = { sellerId: 's-1', date: '2026-06-15' };
          METRIC_FIELDS.forEach((f, i) => (row[f] = values[i]));
          let k = 0;
          const frac = () => fractions[k++ % fractions.length]!;
          for (const [part, whole] of PART_OF) row[part] = Math.floor(frac() * (row[whole] as number));
          for (const [sum, count] of DSR_PAIRS) {
            const c = row[count] as number;
            row[sum] = c + Math.floor(frac() * 4 * c);
          }
          return checkMetricRow(row).valid;
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('emptyMetrics', () => {
  it('is a day of zeros in every one of the 29 fields', () => {
    const zeros = emptyMetrics();
    expect(Object.keys(zeros)).toHaveLength(29);
    expect(Object.values(zeros).every((v) => v === 0)).toBe(true);
  });
});
