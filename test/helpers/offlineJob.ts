import { scoreOffline, type OfflineData, type OfflineScore } from '../../functions/offlineScore';
import type { SellerJob } from '../../lib/calendar';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';

/** A data folder's lines as arrays: the metric rows, orders and exclusions in the order a file holds them. */
interface JobLines extends Omit<OfflineData, 'metrics' | 'orders' | 'exclusions'> {
  metrics?: Iterable<unknown>;
  orders?: Iterable<unknown>;
  exclusions?: Iterable<unknown>;
}

/** A date no test's data reaches: rows are bounded by the data's own checks only, not by the day of import. */
const LATE = '2099-12-31T00:00:00.000Z';

async function* streamed(rows: Iterable<unknown>): AsyncIterable<unknown> {
  yield* rows;
}

/** `grader score` over arrays: the stored job run over the in-memory store (functions/offlineScore.ts). */
function scoreLines(job: SellerJob, period: string, data: JobLines, options: { policy?: Policy; now?: string } = {}): Promise<OfflineScore> {
  const { metrics = [], orders, exclusions, ...rest } = data;
  return scoreOffline(
    job,
    period,
    {
      ...rest,
      metrics: streamed(metrics),
      ...(orders ? { orders: streamed(orders) } : {}),
      ...(exclusions ? { exclusions: streamed(exclusions) } : {}),
    },
    { policy: options.policy ?? DEFAULT_POLICY, now: options.now ?? LATE },
  );
}

export { scoreLines };
export type { JobLines };
