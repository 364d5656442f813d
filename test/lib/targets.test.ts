import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABILITIES } from '../../lib/abilities';
import { gradesOfWindow, matrixOf } from '../../lib/grading';
import { GMV_GROWTH_MIN_BASE_CENTS, INDICATOR_COUNT, INDICATOR_IDS, INDICATORS, type IndicatorDefinition, type IndicatorId } from '../../lib/indicators';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { operationTierOf, tierThresholds, type OperationTierName } from '../../lib/operationTier';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { quantile } from '../../lib/quantile';
import { INDICATORS_OF_ABILITY, scorePool, type PoolTotals } from '../../lib/scores';
import { indicatorTarget, memberTargets, pickTargets, type IndicatorTarget, type TargetQuestion } from '../../lib/targets';
import { policyWith } from './fixtures';

const def = (id: IndicatorId): IndicatorDefinition => INDICATORS.find((d) => d.id === id)!;
const NEXT: Record<Exclude<OperationTierName, 'top'>, 'top' | 'highPotential' | 'mid'> = { highPotential: 'top', mid: 'highPotential', basic: 'mid' };

/** a·w = 0.2 · 0.25 = 0.05 and g = 1: the indicator has to gain 20 normalized points, from 30 to 50. */
const question = (q: Partial<TargetQuestion>): TargetQuestion => ({
  gap: 1,
  abilityWeight: 0.2,
  weight: 0.25,
  value: 30,
  lo: 0.02,
  hi: 0.1,
  mu: 0.05,
  smoothing: 50,
  den: 200,
  current: 0.0425,
  ...q,
});

const reached = (v: IndicatorTarget) => {
  if (!v.reachable) throw new Error(`unreachable: ${v.reason}`);
  return v;
};

describe('indicatorTarget: worked examples', () => {
  it('inverts a higher-is-better rate: v* = 50, x* = 0.06, r* = (0.06·250 − 50·0.05)/200 = 0.0625', () => {
    // current: x = 0.02 + 30·0.08/100 = 0.044 = (num + 2.5)/250, so num = 8.5 and the rate is 8.5/200 = 0.0425
    const v = reached(indicatorTarget(def('campaignOrderShare'), question({})));
    expect(v.step).toBeCloseTo(20, 12);
    expect(v.normalized).toBeCloseTo(50, 12);
    expect(v.smoothed).toBeCloseTo(0.06, 12);
    expect(v.raw).toBe(0.0425);
    expect(v.target).toBeCloseTo(0.0625, 12);
  });

  it('inverts a lower-is-better rate from the top line down: v* = 60, x* = 0.05 − 60·0.04/100 = 0.026, r* = (0.026·150 − 1)/100 = 0.029', () => {
    // current: x = 0.05 − 40·0.04/100 = 0.034 = (num + 1)/150, so num = 4.1 and the rate is 0.041
    const v = reached(indicatorTarget(def('unshippedRate'), question({ value: 40, lo: 0.01, hi: 0.05, mu: 0.02, den: 100, current: 0.041 })));
    expect(v.normalized).toBeCloseTo(60, 12);
    expect(v.smoothed).toBeCloseTo(0.026, 12);
    expect(v.target).toBeCloseTo(0.029, 12);
  });

  it('gives a volume in the unit inside its logarithm: halfway between ln 101 and ln 10001 is √(101·10001) − 1 visitors', () => {
    const v = reached(indicatorTarget(def('visitors'), question({ lo: Math.log(101), hi: Math.log(10_001), current: 300 })));
    expect(v.target).toBeCloseTo(Math.sqrt(101 * 10_001) - 1, 8);
  });

  it('gives a ratio as it is: halfway between −0.5 and 1.5 is a growth of 0.5', () => {
    const v = reached(indicatorTarget(def('gmvGrowth'), question({ lo: -0.5, hi: 1.5, current: 0.1 })));
    expect(v.target).toBeCloseTo(0.5, 12);
  });

  it('reaches exactly 100/100 (x* = hi) and not a hair above it', () => {
    const at100 = reached(indicatorTarget(def('campaignOrderShare'), question({ value: 80 })));
    expect(at100.smoothed).toBe(0.1);
    expect(indicatorTarget(def('campaignOrderShare'), question({ value: 80.000001 }))).toEqual({ reachable: false, reason: 'aboveHundred' });
  });

  it('has no target for an indicator without weight, and one with the smallest weight', () => {
    expect(indicatorTarget(def('campaignOrderShare'), question({ weight: 0 }))).toEqual({ reachable: false, reason: 'zeroWeight' });
    expect(indicatorTarget(def('campaignOrderShare'), question({ abilityWeight: 0 }))).toEqual({ reachable: false, reason: 'zeroWeight' });
    expect(indicatorTarget(def('campaignOrderShare'), question({ gap: 1e-9, weight: 1e-6 })).reachable).toBe(true);
  });

  it('has no target when the pool does not tell sellers apart: lines 1e-12 apart or none at all (Σden = 0)', () => {
    expect(indicatorTarget(def('visitors'), question({ lo: 0, hi: 1e-12 }))).toEqual({ reachable: false, reason: 'uninformative' });
    expect(indicatorTarget(def('visitors'), question({ lo: 0, hi: 2e-12 })).reachable).toBe(true);
    expect(indicatorTarget(def('campaignOrderShare'), question({ lo: Number.NaN, hi: Number.NaN }))).toEqual({ reachable: false, reason: 'uninformative' });
  });

  it('has no target for a rate without denominator', () => {
    expect(indicatorTarget(def('campaignOrderShare'), question({ den: 0, current: Number.NaN }))).toEqual({ reachable: false, reason: 'noDenominator' });
  });

  it('has no target for a rate above 1, below 0, or a star rating above 5, and one at exactly 1', () => {
    // x* = 0.5 + 50·0.5/100 = 0.75, r* = (0.75·(2 + 2) − 2μ)/2: exactly 1 with μ = 0.5, 1.01 with μ = 0.49
    const full = { lo: 0.5, hi: 1, smoothing: 2, den: 2, current: 0.5 };
    expect(reached(indicatorTarget(def('campaignOrderShare'), question({ ...full, mu: 0.5 }))).target).toBe(1);
    expect(indicatorTarget(def('campaignOrderShare'), question({ ...full, mu: 0.49 }))).toEqual({ reachable: false, reason: 'outOfRange' });
    expect(indicatorTarget(def('unshippedRate'), question({ lo: 0.01, hi: 0.05, mu: 0.2, den: 100, current: 0.047 }))).toEqual({
      reachable: false,
      reason: 'outOfRange',
    });
    const stars = { lo: 4, hi: 4.9, mu: 4, smoothing: 10, den: 10, value: 80, current: 4.8 };
    // x* = 4 + 100·0.9/100 = 4.9 → r* = (4.9·20 − 40)/10 = 5.8 stars
    expect(indicatorTarget(def('dsrShipping'), question(stars))).toEqual({ reachable: false, reason: 'outOfRange' });
    // the same numbers on views per visitor (a mean without a ceiling) are 5.8 views
    expect(reached(indicatorTarget(def('viewsPerVisitor'), question(stars))).target).toBeCloseTo(5.8, 12);
  });

  it('never gives a target easier than the current value, even where a gap of 1e-15 rounds below it', () => {
    // found by search: without the guard r* = 0.25747764415664504 < 57615/223767 = 0.2574776441566451
    const tiny = question({
      gap: 1e-15,
      abilityWeight: 1 / 7,
      value: 92.63426888018729,
      lo: 0.07563269494563284,
      hi: 0.27194561455222915,
      mu: 0.2936848958480429,
      den: 223_767,
      current: 57_615 / 223_767,
    });
    const v = reached(indicatorTarget(def('campaignOrderShare'), tiny));
    expect(v.target).toBe(57_615 / 223_767);
  });

  it('checks the reasons in the order SPEC §6 names them', () => {
    const everything = question({ weight: 0, value: 99, lo: Number.NaN, hi: Number.NaN, den: 0 });
    expect(indicatorTarget(def('campaignOrderShare'), everything)).toMatchObject({ reason: 'zeroWeight' });
    expect(indicatorTarget(def('campaignOrderShare'), { ...everything, weight: 0.25 })).toMatchObject({ reason: 'aboveHundred' });
    expect(indicatorTarget(def('campaignOrderShare'), { ...everything, weight: 0.25, value: 30 })).toMatchObject({ reason: 'uninformative' });
    expect(indicatorTarget(def('campaignOrderShare'), { ...everything, weight: 0.25, value: 30, lo: 0.02, hi: 0.1 })).toMatchObject({
      reason: 'noDenominator',
    });
  });
});

describe('pickTargets', () => {
  const at = (step: number): IndicatorTarget => ({ reachable: true, step, normalized: 0, smoothed: 0, raw: step, target: step + 1 });
  const none: IndicatorTarget = { reachable: false, reason: 'aboveHundred' };
  const verdicts = (steps: Partial<Record<IndicatorId, number>>) => INDICATOR_IDS.map((id) => (steps[id] === undefined ? none : at(steps[id]!)));

  it('lists the smallest steps first, ties by indicator id, at most the maximum', () => {
    // inStockRate comes after sellThroughRate in SPEC §4's table, before it by id
    const picked = pickTargets(verdicts({ visitors: 5, sellThroughRate: 2, inStockRate: 2, disputeRate: 9, campaignOrderShare: 3 }), 3);
    expect(picked.map((t) => t.indicator)).toEqual(['inStockRate', 'sellThroughRate', 'campaignOrderShare']);
    expect(picked[0]).toEqual({ indicator: 'inStockRate', ability: 'product', raw: 2, target: 3 });
  });

  it('lists fewer when fewer are reachable, and none with a maximum of 0', () => {
    expect(pickTargets(verdicts({ visitors: 5 }), 3).map((t) => t.indicator)).toEqual(['visitors']);
    expect(pickTargets(verdicts({ visitors: 5 }), 0)).toEqual([]);
    expect(pickTargets(verdicts({}), 3)).toEqual([]);
  });
});

// Pools of valid window totals (SPEC §3.3: parts never above their wholes), with many empty fields.
const count = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 5_000 }) });
const memberArb = fc.tuple(fc.array(count, { minLength: FIELD_COUNT, maxLength: FIELD_COUNT }), fc.integer({ min: 0, max: 500_000 })).map(([v, previous]) => {
  const bound = (part: keyof typeof F, whole: keyof typeof F) => (v[F[part]] = v[F[part]]! % (v[F[whole]]! + 1));
  bound('listingsWithSales', 'activeListings');
  bound('inStockListings', 'activeListings');
  for (const part of ['campaignOrders', 'trackingOnline72h', 'unshippedPaidOrders', 'repeatBuyerOrders'] as const) bound(part, 'orders');
  bound('messagesAnswered24h', 'messagesReceived');
  bound('positiveRatings', 'ratings');
  bound('badExperienceOrders', 'closedOrders');
  bound('sellerResponsibleArbitrations', 'closedOrders');
  for (const [sum, n] of [
    ['dsrDescriptionSum', 'dsrDescriptionCount'],
    ['dsrCommunicationSum', 'dsrCommunicationCount'],
    ['dsrShippingSum', 'dsrShippingCount'],
  ] as const) {
    v[F[sum]] = v[F[n]]! + (v[F[sum]]! % (4 * v[F[n]]! + 1));
  }
  return { sums: v, previous };
});

/** Entropy weights, or pinned weights with some indicators at 0 and uneven ability weights. */
const pinned = (() => {
  const fixed: Partial<Record<IndicatorId, number>> = {};
  // every ability has two indicators or more: its first gets no weight
  for (const members of INDICATORS_OF_ABILITY) members.forEach((j, k) => (fixed[INDICATOR_IDS[j]!] = k === 0 ? 0 : 1 / (members.length - 1)));
  return policyWith({
    weights: { shrinkage: 0.2, fixed },
    abilityWeights: { product: 0.1, channel: 0.2, traffic: 0.2, logistics: 0.1, service: 0.1, customerOps: 0.3, growth: 0 },
    smoothing: { rate: 0, mean: 3 },
  });
})();
const policyArb = fc.constantFrom<Policy>(
  DEFAULT_POLICY,
  pinned,
  policyWith({ normalization: { lower: 0, upper: 1 }, weights: { shrinkage: 0, fixed: null } }),
);

const poolArb = fc.tuple(fc.array(memberArb, { minLength: 2, maxLength: 25 }), fc.integer({ min: 1, max: 92 })).map(([members, windowDays]): PoolTotals => {
  const sums = new Float64Array(members.length * FIELD_COUNT);
  members.forEach((m, i) => sums.set(m.sums, i * FIELD_COUNT));
  return { size: members.length, sums, previousGmvCents: Float64Array.from(members.map((m) => m.previous)), windowDays };
});

/**
 * SPEC §4–§5.2 for one indicator of one member, written out again: the smoothed value when the
 * member's window holds `numerator` (a rate's or mean's S(num), a volume's S(field), gmvGrowth's G),
 * with the pool's μ computed from the pool as it was.
 */
function smoothedAgain(pool: PoolTotals, k: number, j: number, numerator: number, policy: Policy): number {
  const d = INDICATORS[j]!;
  const at = (i: number, field: keyof typeof F) => pool.sums[i * FIELD_COUNT + F[field]]!;
  if (d.kind === 'rate' || d.kind === 'mean') {
    let num = 0;
    let den = 0;
    for (let i = 0; i < pool.size; i++) {
      num += at(i, d.num);
      den += at(i, d.den);
    }
    const mu = num / den;
    const m = d.kind === 'rate' ? policy.smoothing.rate : policy.smoothing.mean;
    return at(k, d.den) === 0 ? mu : (numerator + m * mu) / (at(k, d.den) + m);
  }
  if (d.kind === 'volume') return Math.log(1 + numerator / (d.per === 'dollar' ? 100 : d.per === 'day' ? pool.windowDays : 1));
  const gp = pool.previousGmvCents[k]!;
  return (numerator - gp) / Math.max(gp, GMV_GROWTH_MIN_BASE_CENTS);
}

/** What the member's window holds for indicator j today (the `numerator` of smoothedAgain). */
function numeratorOf(pool: PoolTotals, k: number, j: number): number {
  const d = INDICATORS[j]!;
  if (d.kind === 'rate' || d.kind === 'mean') return pool.sums[k * FIELD_COUNT + F[d.num]]!;
  if (d.kind === 'volume') return pool.sums[k * FIELD_COUNT + F[d.field]]!;
  return pool.sums[k * FIELD_COUNT + F.gmvCents]!;
}

/** The window that puts a target back: the numerator that gives the raw value `target` (SPEC §4 solved for it). */
function numeratorFor(pool: PoolTotals, k: number, j: number, target: number): number {
  const d = INDICATORS[j]!;
  if (d.kind === 'rate' || d.kind === 'mean') return target * pool.sums[k * FIELD_COUNT + F[d.den]]!;
  if (d.kind === 'volume') return target * (d.per === 'dollar' ? 100 : d.per === 'day' ? pool.windowDays : 1);
  const gp = pool.previousGmvCents[k]!;
  return gp + target * Math.max(gp, GMV_GROWTH_MIN_BASE_CENTS);
}

/** The pool's lines for indicator j from the smoothed values of its members as they are; null when the pool's Σden = 0. */
function linesAgain(pool: PoolTotals, j: number, policy: Policy): { lo: number; hi: number } | null {
  const d = INDICATORS[j]!;
  if (d.kind === 'rate' || d.kind === 'mean') {
    let den = 0;
    for (let i = 0; i < pool.size; i++) den += pool.sums[i * FIELD_COUNT + F[d.den]]!;
    if (den === 0) return null;
  }
  const column = Array.from({ length: pool.size }, (_, i) => smoothedAgain(pool, i, j, numeratorOf(pool, i, j), policy));
  return { lo: quantile(column, policy.normalization.lower), hi: quantile(column, policy.normalization.upper) };
}

/** Every member below top with the gap to its next tier's line, and that line. */
function membersBelowTop(pool: PoolTotals, policy: Policy) {
  const scores = scorePool(pool, policy);
  const t = tierThresholds(scores.composite, policy);
  const below: { k: number; gap: number; line: number }[] = [];
  for (let k = 0; k < pool.size; k++) {
    const tier = operationTierOf(scores.composite[k]!, t);
    if (tier !== 'top') below.push({ k, gap: t[NEXT[tier]] - scores.composite[k]!, line: t[NEXT[tier]] });
  }
  return { scores, below };
}

// no shrinking: a pool of 25 members takes minutes to shrink, and a failure names its indicator and member
const POOLS = { numRuns: 150, endOnFailure: true };

describe('targets: properties over random pools', () => {
  it('puts a target back into the window and, the pool held fixed, rescores to the next tier line within 1e-6', () => {
    let checked = 0;
    fc.assert(
      fc.property(poolArb, policyArb, (pool, policy) => {
        const { scores, below } = membersBelowTop(pool, policy);
        const n = pool.size;
        for (const { k, gap, line } of below) {
          memberTargets(pool, scores, k, gap, policy).forEach((v, j) => {
            if (!v.reachable) return;
            const d = INDICATORS[j]!;
            const { lo, hi } = linesAgain(pool, j, policy)!;
            const x = smoothedAgain(pool, k, j, numeratorFor(pool, k, j, v.target), policy);
            const c = Math.min(Math.max(x, lo), hi);
            const value = d.better === 'higher' ? (100 * (c - lo)) / (hi - lo) : (100 * (hi - c)) / (hi - lo);
            let composite = 0;
            ABILITIES.forEach((a, ai) => {
              let ability = 0;
              for (const i of INDICATORS_OF_ABILITY[ai]!) ability += scores.weights[i]! * (i === j ? value : scores.value[i * n + k]!);
              composite += policy.abilityWeights[a] * Math.min(ability, 100);
            });
            expect(Math.abs(composite - line), `${d.id} of member ${k}`).toBeLessThanOrEqual(1e-6);
            checked++;
          });
        }
      }),
      POOLS,
    );
    expect(checked).toBeGreaterThan(500);
  });

  it('never asks for less than the current value (more of a higher-is-better indicator, less of a lower-is-better one)', () => {
    fc.assert(
      fc.property(poolArb, policyArb, (pool, policy) => {
        const { scores, below } = membersBelowTop(pool, policy);
        for (const { k, gap } of below) {
          memberTargets(pool, scores, k, gap, policy).forEach((v, j) => {
            if (!v.reachable) return;
            if (INDICATORS[j]!.better === 'higher') expect(v.target).toBeGreaterThanOrEqual(v.raw);
            else expect(v.target).toBeLessThanOrEqual(v.raw);
          });
        }
      }),
      POOLS,
    );
  });

  it('finds an indicator unreachable exactly when SPEC §6 says so, for the first reason it names', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(poolArb, policyArb, (pool, policy) => {
        const { scores, below } = membersBelowTop(pool, policy);
        const n = pool.size;
        for (const { k, gap } of below) {
          memberTargets(pool, scores, k, gap, policy).forEach((v, j) => {
            const d = INDICATORS[j]!;
            const aw = policy.abilityWeights[d.ability] * scores.weights[j]!;
            const vStar = scores.value[j * n + k]! + gap / aw;
            const lines = linesAgain(pool, j, policy);
            const den = d.kind === 'rate' || d.kind === 'mean' ? pool.sums[k * FIELD_COUNT + F[d.den]]! : null;
            let expected: string | null = null;
            if (aw === 0) expected = 'zeroWeight';
            else if (vStar > 100) expected = 'aboveHundred';
            else if (lines === null || lines.hi - lines.lo <= 1e-12) expected = 'uninformative';
            else if (den === 0) expected = 'noDenominator';
            else if (den !== null) {
              const x = d.better === 'higher' ? lines.lo + (vStar * (lines.hi - lines.lo)) / 100 : lines.hi - (vStar * (lines.hi - lines.lo)) / 100;
              // the smoothed value is affine in the numerator: solve it for x
              const base = smoothedAgain(pool, k, j, 0, policy);
              const slope = smoothedAgain(pool, k, j, den, policy) - base;
              const rate = (x - base) / slope;
              const [min, max] = d.kind === 'rate' ? [0, 1] : d.id.startsWith('dsr') ? [1, 5] : [0, Number.POSITIVE_INFINITY];
              // a target within rounding of its range's edge can fall either way
              if (Math.abs(rate - min) < 1e-9 || Math.abs(rate - max) < 1e-9) return;
              if (rate < min || rate > max) expected = 'outOfRange';
            }
            expect(v.reachable ? null : v.reason, `${d.id} of member ${k}`).toBe(expected);
            seen.add(expected ?? 'reachable');
          });
        }
      }),
      POOLS,
    );
    expect([...seen].sort()).toEqual(['aboveHundred', 'noDenominator', 'outOfRange', 'reachable', 'uninformative', 'zeroWeight']);
  });
});

describe('targets in the grades', () => {
  const sellers = Array.from({ length: 40 }, (_, i) => ({ sellerId: `s-${String(i).padStart(2, '0')}`, categoryId: 'c-1', parentId: 'p-1' }));
  const scoring = matrixOf(sellers.length);
  sellers.forEach((_, i) => {
    const o = i * FIELD_COUNT;
    // s-00 is inactive; the others differ mostly in campaign orders, visitors and GMV
    if (i === 0) return;
    scoring.sums[o + F.visitors] = 100 + 50 * i;
    scoring.sums[o + F.orders] = 10 + i;
    scoring.sums[o + F.campaignOrders] = i % 7;
    scoring.sums[o + F.gmvCents] = 10_000 * i;
    scoring.sums[o + F.activeListings] = 40;
    scoring.sums[o + F.inStockListings] = 20 + (i % 20);
  });
  const grade = (policy: Policy) => new Map(gradesOfWindow(sellers, scoring, new Float64Array(sellers.length), 30, policy));

  it('lists at most tiers.maxTargets reachable targets in the next tier, none for top or inactive sellers', () => {
    const grades = grade(DEFAULT_POLICY);
    expect(grades.get(0)!.nextTier).toBeNull();
    let listed = 0;
    for (const [s, g] of grades) {
      if (g.reason !== 'scored') continue;
      if (g.tier === 'top') expect(g.nextTier).toBeNull();
      else {
        expect(g.nextTier!.targets.length).toBeLessThanOrEqual(3);
        listed += g.nextTier!.targets.length;
        for (const t of g.nextTier!.targets) expect(INDICATORS.find((d) => d.id === t.indicator)!.ability, sellers[s]!.sellerId).toBe(t.ability);
      }
    }
    expect(listed).toBeGreaterThan(0);
  });

  it('gives the volumes in their units: visitors and orders as window sums, GMV in dollars', () => {
    const grades = grade(policyWith({ tiers: { ...DEFAULT_POLICY.tiers, maxTargets: INDICATOR_COUNT } }));
    const raws = new Map<string, number[]>();
    for (const [s, g] of grades) for (const t of g.nextTier?.targets ?? []) raws.set(`${t.indicator} ${s}`, [t.raw, t.target]);
    const some = [...raws.entries()].filter(([key]) => /^(visitors|orderVolume|gmv) /.test(key));
    expect(some.length).toBeGreaterThan(0);
    for (const [key, [raw]] of some) {
      const [id, s] = key.split(' ') as [string, string];
      const o = Number(s) * FIELD_COUNT;
      expect(raw, key).toBe(id === 'gmv' ? scoring.sums[o + F.gmvCents]! / 100 : scoring.sums[o + (id === 'visitors' ? F.visitors : F.orders)]!);
    }
  });

  it('lists nothing with tiers.maxTargets 0', () => {
    for (const [, g] of grade(policyWith({ tiers: { ...DEFAULT_POLICY.tiers, maxTargets: 0 } }))) expect(g.nextTier?.targets ?? []).toEqual([]);
  });
});
