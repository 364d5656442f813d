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

/** Window totals: zeros except the sums given. */
function windowTotals(fields: Partial<MetricValues> = {}): WindowTotals {
  return totalsOf(metrics(fields));
}

/** DEFAULT_POLICY with some top-level sections replaced, validated like an operator's document. */
function policyWith(overrides: Partial<Policy>): Policy {
  return parsePolicy({ ...structuredClone(DEFAULT_POLICY), ...overrides });
}

export { metricRow, metrics, policyWith, windowTotals };
