import { F, FIELD_COUNT, METRIC_FIELDS, type MetricField, type MetricValues } from './metrics';

/** One seller's sums over one window: FIELD_COUNT numbers in METRIC_FIELDS order. */
type WindowTotals = Float64Array;

function emptyTotals(): WindowTotals {
  return new Float64Array(FIELD_COUNT);
}

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

function totalsRecord(t: WindowTotals): MetricValues {
  return Object.fromEntries(METRIC_FIELDS.map((f, i) => [f, t[i]!])) as MetricValues;
}

export { emptyTotals, rawRate, total, totalsOf, totalsRecord };
export type { WindowTotals };
