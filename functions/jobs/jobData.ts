import { spanOf, type DateWindow, type SellerJob } from '../../lib/calendar';
import type { JobSeller } from '../../lib/jobs';
import { jobWindows } from '../../lib/jobs';
import { matrixOf, type TotalsMatrix } from '../../lib/grading';
import { F, FIELD_COUNT } from '../../lib/metrics';
import type { Policy } from '../../lib/policy';
import { blocksOf, boundaryDates, MetricsRepository, windowSums } from '../data/metricsRepository';
import { ReferenceRepository, type StoredSeller } from '../data/referenceRepository';
import type { Store } from '../data/store';

/** What a job reads once: its sellers and their sums over each of its windows. */
interface JobData {
  job: SellerJob;
  period: string;
  windows: Record<string, DateWindow>;
  sellers: StoredSeller[];
  jobSellers: JobSeller[];
  totals: Record<string, TotalsMatrix>;
  previousGmvCents: Float64Array;
  /** the revision of the categories and sellers read */
  referenceRevision: number;
}

/** Loads the categories, sellers and window sums of a job: two block lookups per window (see docs/data-model.md). */
async function loadJobData(store: Store, job: SellerJob, period: string, policy: Policy): Promise<JobData> {
  const reference = new ReferenceRepository(store);
  const { revision: referenceRevision, categories, sellers } = await reference.snapshot();
  const parentOf = new Map(categories.map((c) => [c.categoryId, c.parentId]));
  const jobSellers: JobSeller[] = sellers.map((s) => ({
    sellerId: s.sellerId,
    categoryId: s.categoryId,
    parentId: parentOf.get(s.categoryId) ?? s.categoryId,
    mall: s.mall,
    jbp: s.jbp,
    styled: s.styled,
  }));
  const windows = jobWindows(job, period, policy);
  const dates = [...new Set(Object.values(windows).flatMap(boundaryDates))];
  const blocks = blocksOf(sellers);
  const cumulative = await new MetricsRepository(store).cumulativeAt(blocks, dates, referenceRevision);
  const totals: Record<string, TotalsMatrix> = {};
  for (const [name, w] of Object.entries(windows)) {
    const m = matrixOf(sellers.length);
    sellers.forEach((seller, s) => windowSums(cumulative, seller, w, m.sums, s * FIELD_COUNT));
    totals[name] = m;
  }
  const previous = totals.previous;
  const previousGmvCents = new Float64Array(sellers.length);
  if (previous) for (let s = 0; s < sellers.length; s++) previousGmvCents[s] = previous.sums[s * FIELD_COUNT + F.gmvCents]!;
  return { job, period, windows, sellers, jobSellers, totals, previousGmvCents, referenceRevision };
}

/** The job data a warm worker read for a run's earlier shards, per store: a few runs at a time. */
// keyed by the client: a per-invocation view of the store (functions/local/simulate.ts) shares it
const runDataCache = new WeakMap<Store['client'], Map<string, { policy: Policy; data: JobData }>>();
const RUN_DATA_KEPT = 2;

/**
 * The job data of a run's shard: read once per worker for the run, as long as the reference
 * revision (which every import and program change moves) stays where it was. A fan-out worker,
 * like a warm Lambda container, then evaluates the run's other shards without reading every
 * seller's window sums again.
 */
async function loadRunData(store: Store, run: { runId: string; job: SellerJob; period: string }, policy: Policy): Promise<JobData> {
  const { revision } = await new ReferenceRepository(store).snapshot();
  const key = `${run.runId}|${run.job}|${run.period}|${revision}`;
  let kept = runDataCache.get(store.client);
  if (!kept) runDataCache.set(store.client, (kept = new Map()));
  const hit = kept.get(key);
  if (hit && hit.policy === policy) return hit.data;
  const data = await loadJobData(store, run.job, run.period, policy);
  kept.set(key, { policy, data });
  while (kept.size > RUN_DATA_KEPT) kept.delete(kept.keys().next().value!);
  return data;
}

/** The span of dates a job's windows cover. */
function jobSpan(data: JobData): DateWindow {
  return spanOf(Object.values(data.windows));
}

export { jobSpan, loadJobData, loadRunData };
export type { JobData };
