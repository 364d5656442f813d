import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveMerchantTier, MERCHANT_TIERS, merchantTierRank } from '../../lib/merchantTier';
import { OPERATION_TIERS, operationTierOf, operationTierRank, tierAbove } from '../../lib/operationTier';
import { DEFAULT_POLICY } from '../../lib/policy';
import { ranksBestFirst } from '../../lib/ranks';
import { viewConstants } from '../../lib/report';
import { ASSESSED_SERVICE_LEVELS, GRANTED_SERVICE_LEVELS, SERVICE_LEVELS, serviceLevelRank } from '../../lib/serviceLevel';
import { SEVERITIES, severityRank } from '../../lib/severity';
import { AREA, AREAS, FINDING_ORDER } from '../../lib/healthCheck';

describe('ranksBestFirst', () => {
  it('ranks the last member 0 and each one before it one more', () => {
    expect(ranksBestFirst(['a', 'b', 'c'])).toEqual({ a: 2, b: 1, c: 0 });
  });
});

describe('the vocabulary: each list is written best first, and its order is its rank', () => {
  const descending = (list: readonly string[], rank: Record<string, number>) => list.every((name, i) => i === 0 || rank[list[i - 1]!]! > rank[name]!);

  it('ranks operation tiers, merchant tiers, assessed service levels and severities in their lists’ order', () => {
    expect(descending(OPERATION_TIERS, operationTierRank)).toBe(true);
    expect(descending(MERCHANT_TIERS, merchantTierRank)).toBe(true);
    expect(descending(ASSESSED_SERVICE_LEVELS, serviceLevelRank)).toBe(true);
    expect(descending(SEVERITIES, severityRank)).toBe(true);
    expect(operationTierRank.basic).toBe(0);
    expect('notAssessed' in serviceLevelRank).toBe(false);
  });

  it('gives a higher composite a tier of no lower rank, and the tier above is the next better one', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) => {
        const t = { top: 90, highPotential: 70, mid: 50 };
        const [low, high] = a <= b ? [a, b] : [b, a];
        return operationTierRank[operationTierOf(high, t)] >= operationTierRank[operationTierOf(low, t)];
      }),
    );
    for (const tier of OPERATION_TIERS.slice(1)) expect(operationTierRank[tierAbove(tier)!]).toBe(operationTierRank[tier] + 1);
  });

  it('lists the default policy’s service-level rules best first, the order the assessment takes the first that holds in', () => {
    const levels = DEFAULT_POLICY.serviceLevel.levels.map((l) => l.level);
    expect(descending(levels, serviceLevelRank)).toBe(true);
    expect(SERVICE_LEVELS).toEqual([...GRANTED_SERVICE_LEVELS, 'fail', 'notAssessed']);
  });

  it('lifts ordinary to silver under a Good Seller grant and leaves a better tier as it is', () => {
    expect(effectiveMerchantTier('ordinary', true)).toEqual({ effective: 'silver', source: 'goodSeller' });
    expect(effectiveMerchantTier('gold', true)).toEqual({ effective: 'gold', source: 'assessment' });
    expect(effectiveMerchantTier('silver', true)).toEqual({ effective: 'silver', source: 'assessment' });
  });

  it('puts every finding in one of the areas, and the areas in the order their first findings come', () => {
    const firstSeen = [...new Set(FINDING_ORDER.map((id) => AREA[id]))];
    expect(firstSeen).toEqual([...AREAS]);
  });

  it('gives the report the lists of the modules, in their order', () => {
    const { constants } = viewConstants(DEFAULT_POLICY);
    expect(constants.tiers).toEqual([...OPERATION_TIERS]);
    expect(constants.levels).toEqual([...SERVICE_LEVELS]);
    expect(constants.merchant).toEqual([...MERCHANT_TIERS]);
    expect(constants.areas).toEqual([...AREAS]);
    expect(constants.severities).toEqual([...SEVERITIES]);
  });
});
