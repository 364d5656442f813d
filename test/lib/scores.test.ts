import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABILITIES } from '../../lib/abilities';
import { entropyWeights } from '../../lib/entropyWeights';
import { INDICATOR_COUNT, INDICATOR_IDS, type IndicatorId } from '../../lib/indicators';
import { FIELD_COUNT, METRIC_FIELDS, type MetricValues } from '../../lib/metrics';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { ABILITY_COUNT, INDICATORS_OF_ABILITY, scorePool, type PoolScores, type PoolTotals } from '../../lib/scores';
import { totalsOf } from '../../lib/totals';
import { metrics, policyWith } from './fixtures';

function pool(members: Partial<MetricValues>[], previousGmvCents: number[] = members.map(() => 0), windowDays = 30): PoolTotals {
  const sums = new Float64Array(members.length * FIELD_COUNT);
  members.forEach((m, i) => sums.set(totalsOf(metrics(m)), i * FIELD_COUNT));
  return { size: members.length, sums, previousGmvCents: Float64Array.from(previousGmvCents), windowDays };
}

const col = (id: IndicatorId) => INDICATOR_IDS.indexOf(id);
const valuesOf = (s: PoolScores, id: IndicatorId) => Array.from(s.value.subarray(col(id) * s.size, (col(id) + 1) * s.size));
const rawOf = (s: PoolScores, id: IndicatorId) => Array.from(s.raw.subarray(col(id) * s.size, (col(id) + 1) * s.size));
const abilityOf = (s: PoolScores, a: (typeof ABILITIES)[number]) => {
  const k = ABILITIES.indexOf(a);
  return Array.from(s.abilities.subarray(k * s.size, (k + 1) * s.size));
};

function expectClose(actual: number[], expected: number[], digits = 9): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => expect(x, `index ${i}`).toBeCloseTo(expected[i]!, digits));
}

// The worked example: only visitors, orders and views are non-zero, so every indicator outside
// traffic is uninformative (50) except orderVolume. Rates over orders have numerator 0 for all: constant, 50.
// A: 100 visitors, 10 orders, 300 views; B: 50 visitors, 0 orders, 50 views; C: no visitors at all.
const trafficPool = pool([
  { visitors: 100, orders: 10, productViews: 300 },
  { visitors: 50, orders: 0, productViews: 50 },
  { visitors: 0, orders: 0, productViews: 0 },
]);

/** Fixed weights: traffic 0.5 / 0.3 / 0.2, equal inside every other ability. */
function fixedWeights(): Policy {
  const fixed: Partial<Record<IndicatorId, number>> = {};
  for (const members of INDICATORS_OF_ABILITY) for (const j of members) fixed[INDICATOR_IDS[j]!] = 1 / members.length;
  Object.assign(fixed, { conversionRate: 0.5, viewsPerVisitor: 0.3, visitors: 0.2 });
  return policyWith({ weights: { shrinkage: 0.2, fixed } });
}

describe('scorePool: a worked example of three members', () => {
  const scores = scorePool(trafficPool, DEFAULT_POLICY);

  it('keeps the unsmoothed §4 value as raw, NaN where the denominator is 0', () => {
    expect(rawOf(scores, 'conversionRate')).toEqual([0.1, 0, Number.NaN]);
    expect(rawOf(scores, 'viewsPerVisitor')).toEqual([3, 1, Number.NaN]);
    expectClose(rawOf(scores, 'visitors'), [Math.log(101), Math.log(51), 0]);
  });

  it('smooths conversionRate with m = 50 toward the pool rate 10/150 and normalizes between Q(0.05) and Q(0.95)', () => {
    // μ = 10/150 = 1/15.  A: (10 + 50/15)/(100 + 50) = 4/45 = 8/90;  B: (0 + 50/15)/(50 + 50) = 1/30 = 3/90;
    // C has no visitors and gets μ = 6/90.  Sorted 3, 6, 8 (/90):
    // lo = 3 + 0.1·(6 − 3) = 3.3;  hi = 6 + 0.9·(8 − 6) = 7.8;  span 4.5.
    // A clamps to hi → 100;  B clamps to lo → 0;  C = 100·(6 − 3.3)/4.5 = 60.
    expectClose(valuesOf(scores, 'conversionRate'), [100, 0, 60]);
  });

  it('smooths viewsPerVisitor with m = 10 toward the pool mean 350/150', () => {
    // μ = 7/3.  A: (300 + 70/3)/110 = 97/33 = 291/99;  B: (50 + 70/3)/60 = 11/9 = 121/99;  C: μ = 231/99.
    // lo = 121 + 0.1·110 = 132;  hi = 231 + 0.9·60 = 285;  span 153 (/99).
    // A → 100;  B → 0;  C = 100·(231 − 132)/153 = 1100/17 ≈ 64.706.
    expectClose(valuesOf(scores, 'viewsPerVisitor'), [100, 0, 1100 / 17]);
  });

  it('does not smooth the visitors volume: ln(1 + S), normalized', () => {
    // Sorted 0, ln51, ln101: lo = 0.1·ln51, hi = ln51 + 0.9·(ln101 − ln51); B = 100·0.9·ln51 / (0.9·ln101) = 100·ln51/ln101.
    expectClose(valuesOf(scores, 'visitors'), [100, (100 * Math.log(51)) / Math.log(101), 0]);
  });

  it('gives 50 to every member for a rate whose pool denominator is 0, and leaves its raw NaN', () => {
    for (const id of ['sellThroughRate', 'inStockRate', 'positiveRatingRate', 'dsrDescription', 'deliveryDays', 'badExperienceRate'] as const) {
      expect(valuesOf(scores, id), id).toEqual([50, 50, 50]);
      expect(rawOf(scores, id).every(Number.isNaN), id).toBe(true);
    }
  });

  it('gives 50 to every member for a volume that is equal for all (hi − lo = 0)', () => {
    expect(valuesOf(scores, 'newFollowers')).toEqual([50, 50, 50]);
    expect(rawOf(scores, 'newFollowers')).toEqual([0, 0, 0]);
  });

  it('normalizes orderVolume ln(1 + S(orders)): only A has orders', () => {
    // Sorted 0, 0, ln11: lo = 0, hi = 0.9·ln11 → A 100, B 0, C 0.
    expectClose(valuesOf(scores, 'orderVolume'), [100, 0, 0]);
  });

  it('weighs growth by entropy: orderVolume separates, gmv and gmvGrowth are constant', () => {
    // orderVolume [100, 0, 0]: p = [1, 0, 0], e = 0, d = 1; the two constant columns have d = 0.
    // w = 0.8·1 + 0.2/3 ≈ 0.8667 for orderVolume and 0.2/3 ≈ 0.0667 for each of the others.
    expect(scores.weights[col('orderVolume')]).toBeCloseTo(0.8 + 0.2 / 3, 12);
    expect(scores.weights[col('gmv')]).toBeCloseTo(0.2 / 3, 12);
    expect(scores.weights[col('gmvGrowth')]).toBeCloseTo(0.2 / 3, 12);
    // Growth A = 2·(0.2/3)·50 + (0.8 + 0.2/3)·100 = 93.33;  B = C = 2·(0.2/3)·50 = 6.67.
    expectClose(abilityOf(scores, 'growth'), [20 / 3 + 80 + 20 / 3, 20 / 3, 20 / 3]);
  });

  it('weighs the traffic indicators by entropy and abilities whose columns are all constant equally', () => {
    const expected = entropyWeights([valuesOf(scores, 'conversionRate'), valuesOf(scores, 'viewsPerVisitor'), valuesOf(scores, 'visitors')], 0.2);
    expectClose([scores.weights[col('conversionRate')]!, scores.weights[col('viewsPerVisitor')]!, scores.weights[col('visitors')]!], Array.from(expected));
    expect(scores.weights[col('sellThroughRate')]).toBe(0.25); // product has 4 indicators
    expect(scores.weights[col('campaignOrderShare')]).toBe(0.5); // channel has 2
    expect(scores.weights[col('responseRate24h')]).toBe(0.25); // service has 4
  });

  it('scores each ability as Σ w·v and the composite as the mean of the seven abilities', () => {
    const w = (id: IndicatorId) => scores.weights[col(id)]!;
    const traffic = [0, 1, 2].map(
      (i) =>
        w('conversionRate') * valuesOf(scores, 'conversionRate')[i]! +
        w('viewsPerVisitor') * valuesOf(scores, 'viewsPerVisitor')[i]! +
        w('visitors') * valuesOf(scores, 'visitors')[i]!,
    );
    expectClose(abilityOf(scores, 'traffic'), traffic);
    expectClose(abilityOf(scores, 'product'), [50, 50, 50]);
    const growth = abilityOf(scores, 'growth');
    // Five abilities at 50, plus traffic and growth, each weighted 1/7.
    expectClose(
      Array.from(scores.composite),
      traffic.map((t, i) => (5 * 50 + t + growth[i]!) / 7),
    );
  });

  it('with pinned weights 0.5 / 0.3 / 0.2 gives the hand-computed traffic scores and composites', () => {
    const pinned = scorePool(trafficPool, fixedWeights());
    // A: 0.5·100 + 0.3·100 + 0.2·100 = 100
    // B: 0.5·0 + 0.3·0 + 0.2·(100·ln51/ln101) ≈ 17.04
    // C: 0.5·60 + 0.3·(1100/17) + 0.2·0 = 30 + 330/17 ≈ 49.41
    const traffic = [100, (20 * Math.log(51)) / Math.log(101), 30 + 330 / 17];
    expectClose(abilityOf(pinned, 'traffic'), traffic);
    expect(abilityOf(pinned, 'traffic')[1]).toBeCloseTo(17.04, 2);
    // Growth with equal pinned weights: A (50 + 100 + 50)/3 = 200/3; B = C = (50 + 0 + 50)/3 = 100/3.
    const growth = [200 / 3, 100 / 3, 100 / 3];
    expectClose(abilityOf(pinned, 'growth'), growth);
    // Five abilities at 50: composite = (250 + T + G)/7 → A 59.524, B 42.910, C 47.535.
    expectClose(
      Array.from(pinned.composite),
      traffic.map((t, i) => (250 + t + growth[i]!) / 7),
    );
    expect(pinned.composite[0]).toBeCloseTo((250 + 100 + 200 / 3) / 7, 9);
    expect(pinned.composite[0]).toBeCloseTo(59.524, 3);
    expect(pinned.composite[1]).toBeCloseTo(42.91, 3);
    expect(pinned.composite[2]).toBeCloseTo(47.535, 3);
  });

  it('uses the policy ability weights for the composite', () => {
    const trafficOnly = policyWith({ abilityWeights: { product: 0, channel: 0, traffic: 1, logistics: 0, service: 0, customerOps: 0, growth: 0 } });
    const s = scorePool(trafficPool, trafficOnly);
    expectClose(Array.from(s.composite), abilityOf(s, 'traffic'));
  });
});

describe('scorePool: indicator directions and kinds', () => {
  it('reverses a lower-is-better mean: the fastest delivery scores 100', () => {
    // deliveryDays, m = 10, μ = 150/30 = 5.  Smoothed: (30 + 50)/20 = 4, (50 + 50)/20 = 5, (70 + 50)/20 = 6.
    // lo = 4.1, hi = 5.9; values 100·(5.9 − c)/1.8 → 100, 50, 0.
    const s = scorePool(
      pool([
        { visitors: 1, deliveredOrders: 10, deliveryDaysSum: 30 },
        { visitors: 1, deliveredOrders: 10, deliveryDaysSum: 50 },
        { visitors: 1, deliveredOrders: 10, deliveryDaysSum: 70 },
      ]),
      DEFAULT_POLICY,
    );
    expect(rawOf(s, 'deliveryDays')).toEqual([3, 5, 7]);
    expectClose(valuesOf(s, 'deliveryDays'), [100, 50, 0]);
  });

  it('takes marketCoverage per day and gmv in dollars', () => {
    // 60 market-days over 30 days: ln(1 + 2) = ln 3;  9 900 cents = $99: ln(1 + 99) = ln 100.
    const s = scorePool(pool([{ marketsWithOrders: 60, gmvCents: 9_900 }], [0], 30), DEFAULT_POLICY);
    expect(rawOf(s, 'marketCoverage')[0]).toBeCloseTo(Math.log(3), 12);
    expect(rawOf(s, 'gmv')[0]).toBeCloseTo(Math.log(100), 12);
  });

  it('computes gmvGrowth against the previous window, with a floor of 10 000 cents', () => {
    // (30 000 − 20 000)/20 000 = 0.5;  (5 000 − 0)/10 000 = 0.5;  (0 − 40 000)/40 000 = −1.
    const s = scorePool(pool([{ gmvCents: 30_000 }, { gmvCents: 5_000 }, { gmvCents: 0 }], [20_000, 0, 40_000]), DEFAULT_POLICY);
    expect(rawOf(s, 'gmvGrowth')).toEqual([0.5, 0.5, -1]);
  });

  it('gives every value 50 and a composite of 50 to a pool of one', () => {
    const s = scorePool(pool([{ visitors: 500, orders: 20, gmvCents: 100_000, activeListings: 10, inStockListings: 9 }]), DEFAULT_POLICY);
    expect(Array.from(s.value).every((v) => v === 50)).toBe(true);
    expect(s.composite[0]).toBeCloseTo(50, 9);
  });
});

// Members with small non-negative sums; every field independent, zeros frequent.
const memberArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })), { minLength: FIELD_COUNT, maxLength: FIELD_COUNT });
const poolArb = fc
  .tuple(
    fc.array(memberArb, { minLength: 1, maxLength: 8 }),
    fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 8, maxLength: 8 }),
    fc.integer({ min: 1, max: 92 }),
  )
  .map(([members, previous, days]) => {
    const sums = new Float64Array(members.length * FIELD_COUNT);
    members.forEach((m, i) => sums.set(m, i * FIELD_COUNT));
    return { size: members.length, sums, previousGmvCents: Float64Array.from(previous.slice(0, members.length)), windowDays: days } satisfies PoolTotals;
  });

describe('scorePool: invariants (properties)', () => {
  it('keeps every value, ability score and composite within [0, 100]', () => {
    fc.assert(
      fc.property(poolArb, (p) => {
        const s = scorePool(p, DEFAULT_POLICY);
        const inRange = (a: Float64Array) => a.every((x) => x >= 0 && x <= 100);
        return (
          inRange(s.value) &&
          inRange(s.abilities) &&
          inRange(s.composite) &&
          s.value.length === p.size * INDICATOR_COUNT &&
          s.abilities.length === p.size * ABILITY_COUNT
        );
      }),
      { numRuns: 150 },
    );
  });

  it('gives each ability indicator weights that sum to 1', () => {
    fc.assert(
      fc.property(poolArb, (p) => {
        const s = scorePool(p, DEFAULT_POLICY);
        return INDICATORS_OF_ABILITY.every((members) => Math.abs(members.reduce((sum, j) => sum + s.weights[j]!, 0) - 1) < 1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(poolArb, (p) => {
        const a = scorePool(p, DEFAULT_POLICY);
        const b = scorePool({ ...p, sums: p.sums.slice(), previousGmvCents: p.previousGmvCents.slice() }, DEFAULT_POLICY);
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  it('does not change its input', () => {
    fc.assert(
      fc.property(poolArb, (p) => {
        const before = p.sums.slice();
        scorePool(p, DEFAULT_POLICY);
        expect(p.sums).toEqual(before);
      }),
      { numRuns: 50 },
    );
  });

  it('gives a member the same composite whatever its position in the pool (up to rounding)', () => {
    fc.assert(
      fc.property(poolArb, (p) => {
        const n = p.size;
        const reversed = new Float64Array(p.sums.length);
        for (let i = 0; i < n; i++) reversed.set(p.sums.subarray(i * FIELD_COUNT, (i + 1) * FIELD_COUNT), (n - 1 - i) * FIELD_COUNT);
        const a = scorePool(p, DEFAULT_POLICY);
        const b = scorePool({ ...p, sums: reversed, previousGmvCents: p.previousGmvCents.slice().reverse() }, DEFAULT_POLICY);
        for (let i = 0; i < n; i++) expect(b.composite[n - 1 - i]!).toBeCloseTo(a.composite[i]!, 6);
      }),
      { numRuns: 100 },
    );
  });

  it('has a raw value NaN exactly where a rate or mean has no denominator', () => {
    const ratioIndicators = (['conversionRate', 'deliveryDays', 'responseRate24h'] as const).map((id) => ({
      id,
      den: ({ conversionRate: 'visitors', deliveryDays: 'deliveredOrders', responseRate24h: 'messagesReceived' } as const)[id],
    }));
    fc.assert(
      fc.property(poolArb, (p) => {
        const s = scorePool(p, DEFAULT_POLICY);
        for (const { id, den } of ratioIndicators) {
          const f = METRIC_FIELDS.indexOf(den);
          rawOf(s, id).forEach((raw, i) => expect(Number.isNaN(raw)).toBe(p.sums[i * FIELD_COUNT + f] === 0));
        }
      }),
      { numRuns: 100 },
    );
  });
});
