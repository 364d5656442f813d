import { isCalendarDate } from './calendar';
import { shown } from './shown';

/** The daily metric fields of SPEC §3.3, in storage order. */
const METRIC_FIELDS = [
  'orders',
  'gmvCents',
  'visitors',
  'productViews',
  'activeListings',
  'listingsWithSales',
  'inStockListings',
  'campaignOrders',
  'marketsWithOrders',
  'trackingOnline72h',
  'deliveredOrders',
  'deliveryDaysSum',
  'unshippedPaidOrders',
  'messagesReceived',
  'messagesAnswered24h',
  'disputesOpened',
  'repeatBuyerOrders',
  'newFollowers',
  'closedOrders',
  'badExperienceOrders',
  'sellerResponsibleArbitrations',
  'ratings',
  'positiveRatings',
  'dsrDescriptionSum',
  'dsrDescriptionCount',
  'dsrCommunicationSum',
  'dsrCommunicationCount',
  'dsrShippingSum',
  'dsrShippingCount',
] as const;
type MetricField = (typeof METRIC_FIELDS)[number];
const FIELD_COUNT = METRIC_FIELDS.length;
/** The order-derived fields (SPEC §3.4): a row's values plus the fold of the seller's order outcomes. */
const ORDER_DERIVED_FIELDS = METRIC_FIELDS.slice(METRIC_FIELDS.indexOf('closedOrders')) as readonly MetricField[];
const F = Object.fromEntries(METRIC_FIELDS.map((f, i) => [f, i])) as Record<MetricField, number>;

type MetricValues = Record<MetricField, number>;
interface MetricRow extends MetricValues {
  sellerId: string;
  date: string;
}

// SPEC §3.3: part <= whole.
const PART_OF: ReadonlyArray<readonly [MetricField, MetricField]> = [
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
const DSR_PAIRS: ReadonlyArray<readonly [MetricField, MetricField]> = [
  ['dsrDescriptionSum', 'dsrDescriptionCount'],
  ['dsrCommunicationSum', 'dsrCommunicationCount'],
  ['dsrShippingSum', 'dsrShippingCount'],
];

type RowVerdict = { valid: true; row: MetricRow } | { valid: false; reason: string };

/** Checks the per-row rules of SPEC §3.3 (not the seller or duplicate rules); returns the first broken rule. */
function checkMetricRow(raw: unknown): RowVerdict {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { valid: false, reason: 'row is not an object' };
  const r = raw as Record<string, unknown>;
  const label = `seller ${shown(r.sellerId)}, ${shown(r.date)}`;
  if (typeof r.sellerId === 'string' && r.sellerId.length > 64) {
    return { valid: false, reason: `${label}: sellerId is ${r.sellerId.length} characters long; an identifier has at most 64` };
  }
  if (typeof r.sellerId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.sellerId)) {
    return { valid: false, reason: `${label}: sellerId must match ^[A-Za-z0-9_-]{1,64}$` };
  }
  if (typeof r.date !== 'string' || !isCalendarDate(r.date)) {
    return { valid: false, reason: `${label}: date is not a calendar date (YYYY-MM-DD)` };
  }
  for (const field of METRIC_FIELDS) {
    const v = r[field];
    if (v === undefined || v === null) return { valid: false, reason: `${label}: ${field} is missing` };
    if (typeof v !== 'number' || !Number.isInteger(v))
      return { valid: false, reason: `${label}: ${field} (${shown(JSON.stringify(v) ?? String(v))}) is not an integer` };
    if (v < 0) return { valid: false, reason: `${label}: ${field} (${v}) is negative` };
    if (!Number.isSafeInteger(v)) return { valid: false, reason: `${label}: ${field} (${v}) is beyond the safe integer range` };
  }
  const row = r as unknown as MetricRow;
  for (const [part, whole] of PART_OF) {
    if (row[part] > row[whole]) return { valid: false, reason: `${label}: ${part} (${row[part]}) > ${whole} (${row[whole]})` };
  }
  for (const [sum, count] of DSR_PAIRS) {
    if (row[sum] < row[count] || row[sum] > 5 * row[count]) {
      return { valid: false, reason: `${label}: ${sum} (${row[sum]}) must lie within ${count} (${row[count]}) and 5 x ${count} (${5 * row[count]})` };
    }
  }
  const clean = { sellerId: row.sellerId, date: row.date } as MetricRow;
  for (const field of METRIC_FIELDS) clean[field] = row[field];
  return { valid: true, row: clean };
}

/** A row of zeros: a missing day (SPEC §3.3). */
function emptyMetrics(): MetricValues {
  return Object.fromEntries(METRIC_FIELDS.map((f) => [f, 0])) as MetricValues;
}

export { ORDER_DERIVED_FIELDS, DSR_PAIRS, F, FIELD_COUNT, METRIC_FIELDS, PART_OF, checkMetricRow, emptyMetrics };
export type { MetricField, MetricRow, MetricValues, RowVerdict };
