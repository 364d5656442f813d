import type { MerchantCriteriaSet, MerchantTierCriteria, Policy, ServiceLevel } from './policy';
import { ranksBestFirst } from './ranks';
import { assessServiceLevel } from './serviceLevel';
import { rawRate, total, type WindowTotals } from './totals';

/** The merchant tiers (SPEC §7.2), the best first: the order reports list them in and their rank. */
const MERCHANT_TIERS = ['gold', 'silver', 'ordinary'] as const;
type MerchantTierName = (typeof MERCHANT_TIERS)[number];
const merchantTierRank = ranksBestFirst(MERCHANT_TIERS);
/** What an effective merchant tier stands on (SPEC §7.3). */
const MERCHANT_TIER_SOURCES = ['assessment', 'goodSeller'] as const;
type MerchantTierSource = (typeof MERCHANT_TIER_SOURCES)[number];

interface CriterionResult {
  id: 'gmvUsd' | 'inStockRate' | 'online72hRate' | 'positiveRatingRate' | 'serviceLevel' | 'campaignOrderShare';
  actual: number | string | null;
  required: string;
  met: boolean;
}

interface MerchantAssessment {
  assessedTier: MerchantTierName;
  criteria: { gold: CriterionResult[]; silver: CriterionResult[] };
}

/** gold when every gold criterion holds, else silver when every silver one does, else ordinary (SPEC §7.2). */
function assessMerchant(t: WindowTotals, criteria: MerchantCriteriaSet, policy: Policy): MerchantAssessment {
  const actual = {
    gmvUsd: total(t, 'gmvCents') / 100,
    inStockRate: rawRate(t, 'inStockListings', 'activeListings'),
    online72hRate: rawRate(t, 'trackingOnline72h', 'orders'),
    positiveRatingRate: rawRate(t, 'positiveRatings', 'ratings'),
    serviceLevel: assessServiceLevel(t, policy).level,
    campaignOrderShare: rawRate(t, 'campaignOrders', 'orders'),
  };
  const gold = evaluateCriteria(actual, criteria.gold);
  const silver = evaluateCriteria(actual, criteria.silver);
  const assessedTier = gold.every((c) => c.met) ? 'gold' : silver.every((c) => c.met) ? 'silver' : 'ordinary';
  return { assessedTier, criteria: { gold, silver } };
}

function evaluateCriteria(
  actual: {
    gmvUsd: number;
    inStockRate: number | null;
    online72hRate: number | null;
    positiveRatingRate: number | null;
    serviceLevel: ServiceLevel;
    campaignOrderShare: number | null;
  },
  c: MerchantTierCriteria,
): CriterionResult[] {
  // A zero denominator (null) fails the criterion.
  const atLeast = (id: CriterionResult['id'], value: number | null, min: number): CriterionResult => ({
    id,
    actual: value,
    required: `>= ${min}`,
    met: value !== null && value >= min,
  });
  return [
    atLeast('gmvUsd', actual.gmvUsd, c.minGmvUsd),
    atLeast('inStockRate', actual.inStockRate, c.minInStockRate),
    atLeast('online72hRate', actual.online72hRate, c.minOnline72hRate),
    atLeast('positiveRatingRate', actual.positiveRatingRate, c.minPositiveRatingRate),
    { id: 'serviceLevel', actual: actual.serviceLevel, required: `one of ${c.serviceLevels.join(', ')}`, met: c.serviceLevels.includes(actual.serviceLevel) },
    atLeast('campaignOrderShare', actual.campaignOrderShare, c.minCampaignOrderShare),
  ];
}

/** The effective merchant tier: the higher of the assessed tier and silver under an active Good Seller grant (SPEC §7.3). */
function effectiveMerchantTier(assessed: MerchantTierName, goodSellerActive: boolean): { effective: MerchantTierName; source: MerchantTierSource } {
  if (goodSellerActive && merchantTierRank.silver > merchantTierRank[assessed]) return { effective: 'silver', source: 'goodSeller' };
  return { effective: assessed, source: 'assessment' };
}

export { MERCHANT_TIER_SOURCES, MERCHANT_TIERS, assessMerchant, effectiveMerchantTier, merchantTierRank };
export type { CriterionResult, MerchantAssessment, MerchantTierName, MerchantTierSource };
