import type { Ability } from './abilities';
import { F, type MetricField } from './metrics';

type Better = 'higher' | 'lower';

/** An indicator of SPEC §4; its kind decides smoothing (§5.2), `better` its direction. */
type IndicatorDefinition =
  | { id: string; ability: Ability; kind: 'rate' | 'mean'; better: Better; num: MetricField; den: MetricField }
  | { id: string; ability: Ability; kind: 'volume'; better: Better; field: MetricField; per: 'unit' | 'dollar' | 'day' }
  | { id: string; ability: Ability; kind: 'ratio'; better: Better };

const INDICATORS = [
  { id: 'sellThroughRate', ability: 'product', kind: 'rate', better: 'higher', num: 'listingsWithSales', den: 'activeListings' },
  { id: 'inStockRate', ability: 'product', kind: 'rate', better: 'higher', num: 'inStockListings', den: 'activeListings' },
  { id: 'positiveRatingRate', ability: 'product', kind: 'rate', better: 'higher', num: 'positiveRatings', den: 'ratings' },
  { id: 'dsrDescription', ability: 'product', kind: 'mean', better: 'higher', num: 'dsrDescriptionSum', den: 'dsrDescriptionCount' },
  { id: 'campaignOrderShare', ability: 'channel', kind: 'rate', better: 'higher', num: 'campaignOrders', den: 'orders' },
  { id: 'marketCoverage', ability: 'channel', kind: 'volume', better: 'higher', field: 'marketsWithOrders', per: 'day' },
  { id: 'conversionRate', ability: 'traffic', kind: 'rate', better: 'higher', num: 'orders', den: 'visitors' },
  { id: 'viewsPerVisitor', ability: 'traffic', kind: 'mean', better: 'higher', num: 'productViews', den: 'visitors' },
  { id: 'visitors', ability: 'traffic', kind: 'volume', better: 'higher', field: 'visitors', per: 'unit' },
  { id: 'online72hRate', ability: 'logistics', kind: 'rate', better: 'higher', num: 'trackingOnline72h', den: 'orders' },
  { id: 'deliveryDays', ability: 'logistics', kind: 'mean', better: 'lower', num: 'deliveryDaysSum', den: 'deliveredOrders' },
  { id: 'unshippedRate', ability: 'logistics', kind: 'rate', better: 'lower', num: 'unshippedPaidOrders', den: 'orders' },
  { id: 'dsrShipping', ability: 'logistics', kind: 'mean', better: 'higher', num: 'dsrShippingSum', den: 'dsrShippingCount' },
  { id: 'responseRate24h', ability: 'service', kind: 'rate', better: 'higher', num: 'messagesAnswered24h', den: 'messagesReceived' },
  { id: 'disputeRate', ability: 'service', kind: 'rate', better: 'lower', num: 'disputesOpened', den: 'orders' },
  { id: 'badExperienceRate', ability: 'service', kind: 'rate', better: 'lower', num: 'badExperienceOrders', den: 'closedOrders' },
  { id: 'dsrCommunication', ability: 'service', kind: 'mean', better: 'higher', num: 'dsrCommunicationSum', den: 'dsrCommunicationCount' },
  { id: 'repeatOrderRate', ability: 'customerOps', kind: 'rate', better: 'higher', num: 'repeatBuyerOrders', den: 'orders' },
  { id: 'newFollowers', ability: 'customerOps', kind: 'volume', better: 'higher', field: 'newFollowers', per: 'unit' },
  { id: 'gmv', ability: 'growth', kind: 'volume', better: 'higher', field: 'gmvCents', per: 'dollar' },
  { id: 'orderVolume', ability: 'growth', kind: 'volume', better: 'higher', field: 'orders', per: 'unit' },
  { id: 'gmvGrowth', ability: 'growth', kind: 'ratio', better: 'higher' },
] as const satisfies readonly IndicatorDefinition[];

type IndicatorId = (typeof INDICATORS)[number]['id'];
const INDICATOR_IDS = INDICATORS.map((i) => i.id) as unknown as readonly [IndicatorId, ...IndicatorId[]];
const INDICATOR_COUNT = INDICATORS.length;

/** SPEC §4 gmvGrowth: growth against the previous window, floored at $100 of base. */
const GMV_GROWTH_MIN_BASE_CENTS = 10_000;

/** Field indexes of the numerator and denominator of a rate or mean indicator. */
function ratioFields(def: IndicatorDefinition): { num: number; den: number } | null {
  return def.kind === 'rate' || def.kind === 'mean' ? { num: F[def.num], den: F[def.den] } : null;
}

/** A volume in the unit inside its logarithm: a window sum, US dollars for gmvCents, or a day's mean. */
function volumeUnits(def: Extract<IndicatorDefinition, { kind: 'volume' }>, sum: number, days: number): number {
  return sum / (def.per === 'dollar' ? 100 : def.per === 'day' ? days : 1);
}

/** The unsmoothed value of a volume indicator over a window of `days` days. */
function volumeValue(def: Extract<IndicatorDefinition, { kind: 'volume' }>, sum: number, days: number): number {
  return Math.log1p(volumeUnits(def, sum, days));
}

/** SPEC §4 gmvGrowth = (G − Gp) / max(Gp, 10000). */
function gmvGrowth(gmvCents: number, previousGmvCents: number): number {
  return (gmvCents - previousGmvCents) / Math.max(previousGmvCents, GMV_GROWTH_MIN_BASE_CENTS);
}

export { GMV_GROWTH_MIN_BASE_CENTS, INDICATORS, INDICATOR_COUNT, INDICATOR_IDS, gmvGrowth, ratioFields, volumeUnits, volumeValue };
export type { Better, IndicatorDefinition, IndicatorId };
