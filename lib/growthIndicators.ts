import { LF, type ListingField } from './listings';

/** The stages of a listing's life cycle (SPEC §7.6), lowest first. */
const LISTING_STAGES = ['delisted', 'dormant', 'standard', 'newPotential', 'hot', 'superHot'] as const;
type ListingStage = (typeof LISTING_STAGES)[number];
/** The stages a traffic incentive rewards. */
const INCENTIVE_STAGES = ['newPotential', 'hot', 'superHot'] as const;
type IncentiveStage = (typeof INCENTIVE_STAGES)[number];
const INCENTIVE_STATUSES = ['active', 'superseded', 'expired', 'ended'] as const;

/** Ranks for incentives (SPEC §7.6): delisted, dormant and standard rank alike. */
const STAGE_RANK: Record<ListingStage, number> = { delisted: 0, dormant: 0, standard: 0, newPotential: 1, hot: 2, superHot: 3 };

/** The six indicators of an active listing (SPEC §7.6), in the order records list them. */
const GROWTH_INDICATORS = [
  { id: 'visitors', dimension: 'traffic', kind: 'volume', higherIsBetter: true, field: 'visitors' },
  { id: 'conversionRate', dimension: 'conversion', kind: 'rate', higherIsBetter: true, num: 'buyers', den: 'visitors' },
  { id: 'addToCartRate', dimension: 'conversion', kind: 'rate', higherIsBetter: true, num: 'addToCart', den: 'visitors', capAtDen: true },
  { id: 'positiveRate', dimension: 'quality', kind: 'rate', higherIsBetter: true, num: 'positiveRatings', den: 'ratings' },
  { id: 'returnRate', dimension: 'quality', kind: 'rate', higherIsBetter: false, num: 'returns', den: 'orders' },
  { id: 'gmv', dimension: 'sales', kind: 'volume', higherIsBetter: true, field: 'gmvCents', perUnit: 100 },
] as const satisfies readonly GrowthIndicatorDef[];
type GrowthIndicatorId = (typeof GROWTH_INDICATORS)[number]['id'];
const GROWTH_INDICATOR_IDS = GROWTH_INDICATORS.map((i) => i.id) as [GrowthIndicatorId, ...GrowthIndicatorId[]];

interface GrowthIndicatorDef {
  id: string;
  dimension: string;
  kind: 'volume' | 'rate';
  higherIsBetter: boolean;
  field?: ListingField;
  /** a volume counted in larger units (gmv: cents in the rows, dollars in the indicator) */
  perUnit?: number;
  num?: ListingField;
  den?: ListingField;
  /** the numerator is capped at the denominator, listing by listing (addToCartRate) */
  capAtDen?: boolean;
}

/** A volume's window sum in the indicator's unit (visitors; gmv in USD): what suggestions quote. */
function volumeSum(def: GrowthIndicatorDef, sums: ArrayLike<number>, at: number): number {
  return sums[at + LF[def.field!]]! / (def.perUnit ?? 1);
}

/** A rate's numerator and denominator over a listing's window sums. */
function rateParts(def: GrowthIndicatorDef, sums: ArrayLike<number>, at: number): [number, number] {
  const den = sums[at + LF[def.den!]]!;
  const num = sums[at + LF[def.num!]]!;
  return [def.capAtDen ? Math.min(num, den) : num, den];
}

export { GROWTH_INDICATOR_IDS, GROWTH_INDICATORS, INCENTIVE_STAGES, INCENTIVE_STATUSES, LISTING_STAGES, STAGE_RANK, rateParts, volumeSum };
export type { GrowthIndicatorDef, GrowthIndicatorId, IncentiveStage, ListingStage };
