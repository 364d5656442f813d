import { emptyMetrics, type MetricRow, type MetricValues } from '../../lib/metrics';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import { totalsOf, type WindowTotals } from '../../lib/totals';

/** Daily metric values: zeros except the fields given. */
function metrics(fields: Partial<MetricValues> = {}): MetricValues {
  return { ...emptyMetrics(), ...fields };
}

/** A valid metric row of one seller on one date: zeros except the fields given. */
function metricRow(sellerId: string, date: string, fields: Partial<MetricValues> = {}): MetricRow {
  return { sellerId, date, ...metrics(fields) };
}

/**
 * A 90-day window that meets every gold criterion exactly or just above:
 * $60 000 GMV, 95/100 in stock, 900/1000 online in 72 h, 97/100 positive, 100/1000 campaign orders,
 * and an excellent service level (bad 20/1000, no arbitration, 0.97 positive).
 */
const GOLD: Partial<MetricValues> = {
  gmvCents: 6_000_000,
  activeListings: 100,
  inStockListings: 95,
  orders: 1_000,
  trackingOnline72h: 900,
  campaignOrders: 100,
  ratings: 100,
  positiveRatings: 97,
  closedOrders: 1_000,
  badExperienceOrders: 20,
};

/** Window totals: zeros except the sums given. */
function windowTotals(fields: Partial<MetricValues> = {}): WindowTotals {
  return totalsOf(metrics(fields));
}

/** DEFAULT_POLICY with some top-level sections replaced, validated like an operator's document. */
function policyWith(overrides: Partial<Policy>): Policy {
  return parsePolicy({ ...structuredClone(DEFAULT_POLICY), ...overrides });
}

export { GOLD, metricRow, metrics, policyWith, windowTotals };
