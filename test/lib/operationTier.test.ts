import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ability } from '../../lib/abilities';
import { focusAbilities, nextTierOf, operationTierOf, tierAbove, tierBenefits, tierThresholds, type TierThresholds } from '../../lib/operationTier';
import { DEFAULT_POLICY } from '../../lib/policy';
import { policyWith } from './fixtures';

const T: TierThresholds = { top: 90, highPotential: 70, mid: 50 };

const abilities = (values: Partial<Record<Ability, number>>): Record<Ability, number> => ({
  product: 80,
  channel: 80,
  traffic: 80,
  logistics: 80,
  service: 80,
  customerOps: 80,
  growth: 80,
  ...values,
});

describe('tierThresholds', () => {
  it('takes Q(0.95), Q(0.80) and Q(0.50) of the pool composites: 0..100 in steps of 10', () => {
    // n = 11, h = 10·q: top at h = 9.5 → 95; highPotential at h = 8 → 80; mid at h = 5 → 50.
    const composites = [100, 0, 90, 10, 80, 20, 70, 30, 60, 40, 50];
    const t = tierThresholds(composites, DEFAULT_POLICY);
    expect(t.top).toBeCloseTo(95, 9);
    expect(t.highPotential).toBeCloseTo(80, 9);
    expect(t.mid).toBe(50);
  });

  it('takes them over five members: c4 + 0.8·(c5 − c4), c4 + 0.2·(c5 − c4), c3', () => {
    const t = tierThresholds([10, 20, 30, 40, 50], DEFAULT_POLICY);
    expect(t.top).toBeCloseTo(48, 9);
    expect(t.highPotential).toBeCloseTo(42, 9);
    expect(t.mid).toBe(30);
  });

  it('follows the policy quantiles', () => {
    const policy = policyWith({ tiers: { ...DEFAULT_POLICY.tiers, quantiles: { top: 1, highPotential: 0.5, mid: 0 } } });
    expect(tierThresholds([10, 20, 30], policy)).toEqual({ top: 30, highPotential: 20, mid: 10 });
  });

  it('are ordered mid ≤ highPotential ≤ top for any pool (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 60 }), (composites) => {
        const t = tierThresholds(composites, DEFAULT_POLICY);
        return t.mid <= t.highPotential && t.highPotential <= t.top;
      }),
      { numRuns: 200 },
    );
  });
});

describe('operationTierOf', () => {
  it('gives top to a composite exactly at T_top, and highPotential just below', () => {
    expect(operationTierOf(90, T)).toBe('top');
    expect(operationTierOf(89.999, T)).toBe('highPotential');
  });

  it('gives highPotential to a composite exactly at T_highPotential, and mid just below', () => {
    expect(operationTierOf(70, T)).toBe('highPotential');
    expect(operationTierOf(69.999, T)).toBe('mid');
  });

  it('gives mid to a composite exactly at T_mid, and basic just below', () => {
    expect(operationTierOf(50, T)).toBe('mid');
    expect(operationTierOf(49.999, T)).toBe('basic');
  });

  it('gives top to every member of a pool whose composites are all equal', () => {
    const t = tierThresholds([42, 42, 42], DEFAULT_POLICY);
    expect(operationTierOf(42, t)).toBe('top');
  });

  it('ranks five distinct composites top, mid, mid, basic, basic', () => {
    const composites = [10, 20, 30, 40, 50];
    const t = tierThresholds(composites, DEFAULT_POLICY);
    expect(composites.map((c) => operationTierOf(c, t))).toEqual(['basic', 'basic', 'mid', 'mid', 'top']);
  });

  it('never gives a higher composite a lower tier (property)', () => {
    const rank = { basic: 0, mid: 1, highPotential: 2, top: 3 } as const;
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (pool, a, b) => {
          const t = tierThresholds(pool, DEFAULT_POLICY);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return rank[operationTierOf(lo, t)] <= rank[operationTierOf(hi, t)];
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('nextTierOf', () => {
  const noTargets = () => [];

  it('gives no next tier above top', () => {
    expect(nextTierOf('top', 95, T, abilities({}), DEFAULT_POLICY, noTargets)).toBeNull();
  });

  it('gives a highPotential seller at 75 a gap of 15 to top', () => {
    const next = nextTierOf('highPotential', 75, T, abilities({}), DEFAULT_POLICY, noTargets);
    expect(next?.tier).toBe('top');
    expect(next?.scoreGap).toBe(15);
  });

  it('gives a mid seller at 55.5 a gap of 14.5 to highPotential, and a basic seller at 12 a gap of 38 to mid', () => {
    expect(nextTierOf('mid', 55.5, T, abilities({}), DEFAULT_POLICY, noTargets)).toMatchObject({ tier: 'highPotential', scoreGap: 14.5 });
    expect(nextTierOf('basic', 12, T, abilities({}), DEFAULT_POLICY, noTargets)).toMatchObject({ tier: 'mid', scoreGap: 38 });
  });

  it('names the two abilities with the largest headroom as the focus', () => {
    // Equal weights 1/7: headroom is 100 − A. customerOps (60) and channel (45) have the most.
    const next = nextTierOf('mid', 60, T, abilities({ channel: 55, customerOps: 40, growth: 70 }), DEFAULT_POLICY, noTargets);
    expect(next?.focus).toEqual(['customerOps', 'channel']);
  });

  it('asks for the targets of exactly the gap to the next tier, and of none above top', () => {
    const asked: number[] = [];
    const target = { indicator: 'gmv', ability: 'growth', raw: 100, target: 250 } as const;
    const next = nextTierOf('mid', 55.5, T, abilities({}), DEFAULT_POLICY, (gap) => {
      asked.push(gap);
      return [target];
    });
    expect(next?.targets).toEqual([target]);
    nextTierOf('top', 95, T, abilities({}), DEFAULT_POLICY, (gap) => {
      asked.push(gap);
      return [];
    });
    expect(asked).toEqual([14.5]);
  });
});

describe('focusAbilities', () => {
  it('weighs headroom by the ability weight: a·(100 − A)', () => {
    // growth 0.4·(100 − 70) = 12 beats channel 0.1·(100 − 20) = 8 though channel is lower.
    const policy = policyWith({ abilityWeights: { product: 0.1, channel: 0.1, traffic: 0.1, logistics: 0.1, service: 0.1, customerOps: 0.1, growth: 0.4 } });
    const scores = abilities({ product: 100, channel: 20, traffic: 100, logistics: 100, service: 100, customerOps: 100, growth: 70 });
    expect(focusAbilities(scores, policy)).toEqual(['growth', 'channel']);
  });

  it("breaks ties in the abilities' order (product before channel before traffic)", () => {
    expect(focusAbilities(abilities({}), DEFAULT_POLICY)).toEqual(['product', 'channel']);
    expect(focusAbilities(abilities({ traffic: 10, growth: 10 }), DEFAULT_POLICY)).toEqual(['traffic', 'growth']);
  });
});

describe('tierBenefits', () => {
  it("lists a mid seller's benefits and those of highPotential, and nothing next for top", () => {
    expect(tierBenefits('mid', DEFAULT_POLICY)).toEqual({ current: DEFAULT_POLICY.tiers.benefits.mid, next: DEFAULT_POLICY.tiers.benefits.highPotential });
    expect(tierBenefits('top', DEFAULT_POLICY)).toEqual({ current: DEFAULT_POLICY.tiers.benefits.top, next: [] });
    expect(tierAbove('basic')).toBe('mid');
    expect(tierAbove('top')).toBeNull();
  });
});
