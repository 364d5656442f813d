import { F, METRIC_FIELDS, type MetricField, type MetricValues } from './metrics';

/** One seller's sums over one window: FIELD_COUNT numbers in METRIC_FIELDS order. */
type WindowTotals = Float64Array;

function total(t: WindowTotals, field: MetricField): number {
  return t[F[field]]!;
}

/** num / den, or null when den is 0 (an undefined rate meets no criterion). */
function rawRate(t: WindowTotals, num: MetricField, den: MetricField): number | null {
  const d = total(t, den);
  return d === 0 ? null : total(t, num) / d;
}

function totalsOf(values: MetricValues): WindowTotals {
  return Float64Array.from(METRIC_FIELDS, (f) => values[f]);
}

export { rawRate, total, totalsOf };
export type { WindowTotals };
