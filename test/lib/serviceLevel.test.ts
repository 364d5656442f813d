import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/policy';
import { assessServiceLevel } from '../../lib/serviceLevel';
import { windowTotals } from './fixtures';

/** 100 closed orders with the given bad and arbitration counts, and 100 ratings with `positive` of 4–5 stars. */
function window(bad: number, arbitrations: number, positive: number, closed = 100, ratings = 100) {
  return windowTotals({ closedOrders: closed, badExperienceOrders: bad, sellerResponsibleArbitrations: arbitrations, ratings, positiveRatings: positive });
}

const levelOf = (t: Float64Array) => assessServiceLevel(t, DEFAULT_POLICY).level;

describe('assessServiceLevel', () => {
  describe('closed-order minimum', () => {
    it('does not assess 89 closed orders, and assesses 90', () => {
      expect(levelOf(window(0, 0, 89, 89, 89))).toBe('notAssessed');
      expect(levelOf(window(0, 0, 90, 90, 90))).toBe('excellent');
    });

    it('reports the missing closed orders as the unmet condition', () => {
      const a = assessServiceLevel(window(0, 0, 89, 89, 89), DEFAULT_POLICY);
      expect(a.unmet).toEqual([{ id: 'closedOrders', actual: 89, required: '>= 90', for: 'assessed' }]);
      expect(a.closedOrders).toBe(89);
    });
  });

  describe('excellent', () => {
    it('is excellent with bad 2/100, no arbitration and 97/100 positive: 0.97 exactly meets pos ≥ 0.97', () => {
      const a = assessServiceLevel(window(2, 0, 97), DEFAULT_POLICY);
      expect(a.level).toBe('excellent');
      expect(a.unmet).toEqual([]);
      expect(a.positiveRatingRate).toBe(0.97);
    });

    it('is not excellent with 96/100 positive, but good', () => {
      expect(levelOf(window(2, 0, 96))).toBe('good');
    });

    it('is not excellent with bad exactly 3/100 = 0.03 (bad < 0.03 is strict), but good', () => {
      const a = assessServiceLevel(window(3, 0, 99), DEFAULT_POLICY);
      expect(a.badExperienceRate).toBe(0.03);
      expect(a.level).toBe('good');
      expect(a.unmet).toEqual([{ id: 'badExperienceRate', actual: 0.03, required: '< 0.03', for: 'excellent' }]);
    });
  });

  describe('good', () => {
    it('is good with bad 5/100 and pos 95/100 (0.95 exactly), not good with pos 94/100', () => {
      expect(levelOf(window(5, 0, 95))).toBe('good');
      expect(levelOf(window(5, 0, 94))).toBe('pass');
    });

    it('is good with bad 5.9 %, and pass with bad exactly 6 %', () => {
      // 59/1000 = 0.059 < 0.06;  60/1000 = 0.06, not < 0.06.
      expect(levelOf(window(59, 0, 1000, 1000, 1000))).toBe('good');
      expect(levelOf(window(60, 0, 1000, 1000, 1000))).toBe('pass');
    });
  });

  describe('pass', () => {
    it('passes with bad 119/1000 and fails with bad 120/1000 = 0.12 exactly', () => {
      expect(levelOf(window(119, 0, 0, 1000, 1000))).toBe('pass');
      expect(levelOf(window(120, 0, 0, 1000, 1000))).toBe('fail');
    });

    it('passes whatever the ratings: pass has no rating condition', () => {
      expect(levelOf(window(10, 0, 0))).toBe('pass');
      expect(levelOf(window(10, 0, 0, 100, 0))).toBe('pass');
    });
  });

  describe('arbitration', () => {
    it('stays excellent with 7 seller-responsible arbitrations in 1000 closed orders, and fails at 8 (0.008 exactly)', () => {
      expect(levelOf(window(0, 7, 1000, 1000, 1000))).toBe('excellent');
      expect(levelOf(window(0, 8, 1000, 1000, 1000))).toBe('fail');
    });
  });

  describe('undefined positive rating rate', () => {
    it('meets neither excellent nor good when there are no ratings, even with a perfect record', () => {
      const a = assessServiceLevel(window(0, 0, 0, 100, 0), DEFAULT_POLICY);
      expect(a.positiveRatingRate).toBeNull();
      expect(a.level).toBe('pass');
      expect(a.unmet).toEqual([{ id: 'positiveRatingRate', actual: null, required: '>= 0.95', for: 'good' }]);
    });
  });

  it('lists every unmet condition of the next level up', () => {
    // pass (bad 0.10) → next up is good: bad 0.10 ≥ 0.06 and pos 0.90 < 0.95 both fail; arbitration holds.
    const a = assessServiceLevel(window(10, 0, 90), DEFAULT_POLICY);
    expect(a.level).toBe('pass');
    expect(a.unmet).toEqual([
      { id: 'badExperienceRate', actual: 0.1, required: '< 0.06', for: 'good' },
      { id: 'positiveRatingRate', actual: 0.9, required: '>= 0.95', for: 'good' },
    ]);
  });

  it('lists what pass needs for a failing seller', () => {
    const a = assessServiceLevel(window(20, 1, 50), DEFAULT_POLICY);
    expect(a.level).toBe('fail');
    expect(a.unmet).toEqual([
      { id: 'badExperienceRate', actual: 0.2, required: '< 0.12', for: 'pass' },
      { id: 'sellerResponsibleArbitrationRate', actual: 0.01, required: '< 0.008', for: 'pass' },
    ]);
  });

  it('never ranks a seller with more bad orders higher, all else equal (property)', () => {
    const rank = { notAssessed: -1, fail: 0, pass: 1, good: 2, excellent: 3 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 90, max: 2000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (closed, b1, b2, p) => {
          const [lo, hi] = [Math.floor(Math.min(b1, b2) * closed), Math.floor(Math.max(b1, b2) * closed)];
          const pos = Math.floor(p * closed);
          return rank[levelOf(window(lo, 0, pos, closed, closed))] >= rank[levelOf(window(hi, 0, pos, closed, closed))];
        },
      ),
      { numRuns: 200 },
    );
  });
});
