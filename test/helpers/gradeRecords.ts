import type { Marketplace } from '../../functions/local/syntheticMarketplace';
import type { SellerJob } from '../../lib/calendar';
import type { GradeRecord } from '../../lib/records';
import { scoreLines } from './offlineJob';

/** A market scored offline, as `grader score` would: monthly runs, a quarterly run, a daily run. */
async function scoredRecords(
  m: { market: Marketplace; rows: Iterable<unknown> },
  runs: { months: string[]; quarter?: string; day?: string },
): Promise<GradeRecord[]> {
  const data = { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows };
  const jobs: [SellerJob, string][] = runs.months.map((month) => ['monthly', month]);
  if (runs.quarter) jobs.push(['quarterly', runs.quarter]);
  if (runs.day) jobs.push(['daily', runs.day]);
  const records: GradeRecord[] = [];
  for (const [job, period] of jobs) records.push(...(await scoreLines(job, period, data)).records);
  return records;
}

export { scoredRecords };
