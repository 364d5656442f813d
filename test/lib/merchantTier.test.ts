import { describe, expect, it } from 'vitest';
import { assessMerchant, effectiveMerchantTier } from '../../lib/merchantTier';
import { DEFAULT_POLICY, type MerchantCriteriaSet } from '../../lib/policy';
import type { MetricValues } from '../../lib/metrics';
import { GOLD, windowTotals } from './fixtures';

const criteria = DEFAULT_POLICY.merchantTier.criteria.default;

const tierOf = (changes: Partial<MetricValues>, set: MerchantCriteriaSet = criteria) =>
  assessMerchant(windowTotals({ ...GOLD, ...changes }), set, DEFAULT_POLICY).assessedTier;

describe('assessMerchant', () => {
  it('makes the reference window gold, listing every gold criterion as met', () => {
    const a = assessMerchant(windowTotals(GOLD), criteria, DEFAULT_POLICY);
    expect(a.assessedTier).toBe('gold');
    expect(a.criteria.gold).toEqual([
      { id: 'gmvUsd', actual: 60000, required: '>= 60000', met: true },
      { id: 'inStockRate', actual: 0.95, required: '>= 0.95', met: true },
      { id: 'online72hRate', actual: 0.9, required: '>= 0.9', met: true },
      { id: 'positiveRatingRate', actual: 0.97, required: '>= 0.95', met: true },
      { id: 'serviceLevel', actual: 'excellent', required: 'one of excellent, good', met: true },
      { id: 'campaignOrderShare', actual: 0.1, required: '>= 0.1', met: true },
    ]);
    expect(a.criteria.silver.every((c) => c.met)).toBe(true);
  });

  describe('gold / silver pairs: one criterion just below gold leaves silver', () => {
    it('$60 000.00 is gold, $59 999.99 is silver', () => {
      expect(tierOf({ gmvCents: 6_000_000 })).toBe('gold');
      expect(tierOf({ gmvCents: 5_999_999 })).toBe('silver');
    });

    it('in stock 95/100 is gold, 94/100 is silver', () => {
      expect(tierOf({ inStockListings: 94 })).toBe('silver');
    });

    it('online in 72 h 900/1000 is gold, 899/1000 is silver', () => {
      expect(tierOf({ trackingOnline72h: 899 })).toBe('silver');
    });

    it('positive 95/100 is gold (service stays good), 94/100 is silver (service falls to pass)', () => {
      expect(tierOf({ positiveRatings: 95 })).toBe('gold');
      expect(tierOf({ positiveRatings: 94 })).toBe('silver');
    });

    it('a good service level is gold, a pass service level is silver', () => {
      // bad 50/1000 = 0.05 → good;  bad 70/1000 = 0.07 → pass.
      expect(tierOf({ badExperienceOrders: 50 })).toBe('gold');
      expect(tierOf({ badExperienceOrders: 70 })).toBe('silver');
    });

    it('campaign share 100/1000 is gold, 99/1000 is silver', () => {
      expect(tierOf({ campaignOrders: 99 })).toBe('silver');
    });
  });

  describe('silver / ordinary pairs: one criterion just below silver leaves ordinary', () => {
    it('$15 000.00 is silver, $14 999.99 is ordinary', () => {
      expect(tierOf({ gmvCents: 1_500_000 })).toBe('silver');
      expect(tierOf({ gmvCents: 1_499_999 })).toBe('ordinary');
    });

    it('in stock 90/100 is silver, 89/100 is ordinary', () => {
      expect(tierOf({ inStockListings: 90 })).toBe('silver');
      expect(tierOf({ inStockListings: 89 })).toBe('ordinary');
    });

    it('online in 72 h 850/1000 is silver, 849/1000 is ordinary', () => {
      expect(tierOf({ trackingOnline72h: 850 })).toBe('silver');
      expect(tierOf({ trackingOnline72h: 849 })).toBe('ordinary');
    });

    it('positive 92/100 is silver, 91/100 is ordinary', () => {
      expect(tierOf({ positiveRatings: 92 })).toBe('silver');
      expect(tierOf({ positiveRatings: 91 })).toBe('ordinary');
    });

    it('a pass service level is silver, a failing one is ordinary', () => {
      // bad 119/1000 → pass;  bad 120/1000 = 0.12 → fail.
      expect(tierOf({ badExperienceOrders: 119 })).toBe('silver');
      expect(tierOf({ badExperienceOrders: 120 })).toBe('ordinary');
    });

    it('a service level not assessed (89 closed orders) is ordinary', () => {
      expect(tierOf({ closedOrders: 89, badExperienceOrders: 0 })).toBe('ordinary');
    });

    it('campaign share 50/1000 is silver, 49/1000 is ordinary', () => {
      expect(tierOf({ campaignOrders: 50 })).toBe('silver');
      expect(tierOf({ campaignOrders: 49 })).toBe('ordinary');
    });
  });

  describe('zero denominators fail the criterion', () => {
    it('no active listings: inStockRate is null and not met, so ordinary', () => {
      const a = assessMerchant(windowTotals({ ...GOLD, activeListings: 0, inStockListings: 0 }), criteria, DEFAULT_POLICY);
      expect(a.criteria.silver.find((c) => c.id === 'inStockRate')).toEqual({ id: 'inStockRate', actual: null, required: '>= 0.9', met: false });
      expect(a.assessedTier).toBe('ordinary');
    });

    it('no orders: online72hRate and campaignOrderShare are null and not met', () => {
      const a = assessMerchant(windowTotals({ ...GOLD, orders: 0, trackingOnline72h: 0, campaignOrders: 0 }), criteria, DEFAULT_POLICY);
      const silver = Object.fromEntries(a.criteria.silver.map((c) => [c.id, c]));
      expect(silver.online72hRate).toMatchObject({ actual: null, met: false });
      expect(silver.campaignOrderShare).toMatchObject({ actual: null, met: false });
      expect(a.assessedTier).toBe('ordinary');
    });

    it('no ratings: positiveRatingRate is null and not met', () => {
      expect(tierOf({ ratings: 0, positiveRatings: 0 })).toBe('ordinary');
    });
  });

  it('an empty window is ordinary with every criterion unmet', () => {
    const a = assessMerchant(windowTotals(), criteria, DEFAULT_POLICY);
    expect(a.assessedTier).toBe('ordinary');
    expect(a.criteria.silver.every((c) => !c.met)).toBe(true);
    expect(a.criteria.silver.find((c) => c.id === 'serviceLevel')?.actual).toBe('notAssessed');
  });

  it('applies the criteria set it is given (a category with a lower GMV bar)', () => {
    const lowBar: MerchantCriteriaSet = { gold: { ...criteria.gold, minGmvUsd: 20_000 }, silver: { ...criteria.silver, minGmvUsd: 5_000 } };
    expect(tierOf({ gmvCents: 2_000_000 }, lowBar)).toBe('gold');
    expect(tierOf({ gmvCents: 2_000_000 })).toBe('silver');
  });
});

describe('effectiveMerchantTier', () => {
  it('raises ordinary to silver under an active Good Seller grant, naming the grant as source', () => {
    expect(effectiveMerchantTier('ordinary', true)).toEqual({ effective: 'silver', source: 'goodSeller' });
  });

  it('keeps silver and gold from the assessment under an active grant', () => {
    expect(effectiveMerchantTier('silver', true)).toEqual({ effective: 'silver', source: 'assessment' });
    expect(effectiveMerchantTier('gold', true)).toEqual({ effective: 'gold', source: 'assessment' });
  });

  it('keeps the assessed tier without an active grant', () => {
    expect(effectiveMerchantTier('ordinary', false)).toEqual({ effective: 'ordinary', source: 'assessment' });
    expect(effectiveMerchantTier('gold', false)).toEqual({ effective: 'gold', source: 'assessment' });
  });
});
