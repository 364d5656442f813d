import type { Marketplace } from '../../functions/local/syntheticMarketplace';
import { prepareJob } from '../../lib/evaluateJob';
import type { MetricRow } from '../../lib/metrics';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';

/** A market scored offline, as `grader score` would: monthly runs, a quarterly run, a daily run. */
function scoredRecords(m: { market: Marketplace; rows: MetricRow[] }, runs: { months: string[]; quarter?: string; day?: string }): GradeRecord[] {
  const records: GradeRecord[] = [];
  const run = (job: 'daily' | 'monthly' | 'quarterly', period: string) => {
    const j = prepareJob(
      job,
      period,
      { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants },
      DEFAULT_POLICY,
      `test-${period}`,
    );
    for (const r of m.rows) j.addMetricRow(r);
    records.push(...j.records());
  };
  for (const month of runs.months) run('monthly', month);
  if (runs.quarter) run('quarterly', runs.quarter);
  if (runs.day) run('daily', runs.day);
  return records;
}

export { scoredRecords };
