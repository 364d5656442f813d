import { addDays, addQuarters, firstMonthOfQuarter, type SellerJob } from '../lib/calendar';
import { grantOfRecord, grantStatusOn } from '../lib/goodSeller';
import { earlierRecord, InputBoundary, type EarlierRecord } from '../lib/inputBoundary';
import { grantRecord } from '../lib/jobs';
import { inputLine } from '../lib/jsonLines';
import type { Policy } from '../lib/policy';
import type { GoodSellerGrantRecord, GradeRecord, QuarantineRecord } from '../lib/records';
import { DailyScorePacks } from './data/dailyScorePacks';
import { GradesRepository } from './data/gradesRepository';
import { openMemoryStore } from './data/memoryStore';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository } from './data/referenceRepository';
import { importData } from './jobs/importData';
import { runJob } from './jobs/runJob';

/** A data folder's files, as `grader import` reads them, plus the records of earlier runs. */
interface OfflineData {
  categories: unknown[];
  sellers: unknown[];
  grants?: unknown[];
  /** records of earlier runs (SPEC §10): the grades in force, grants and health checks the daily job reads */
  grades?: unknown[];
  orders?: AsyncIterable<unknown>;
  exclusions?: AsyncIterable<unknown>;
  exposure?: unknown[];
  registrations?: unknown[];
  metrics: AsyncIterable<unknown>;
}

interface OfflineScore {
  records: GradeRecord[];
  quarantine: QuarantineRecord[];
}

/** The business date a run of the period happens on, as the schedules run it (SPEC §9). */
function runDateOf(job: SellerJob, period: string): string {
  if (job === 'daily') return period;
  if (job === 'monthly') return `${period}-02`;
  return `${firstMonthOfQuarter(addQuarters(period, 1))}-02`;
}

/**
 * `grader score` for the seller jobs: the stored job itself, run over a store in memory. The data
 * folder is imported as `grader import` would, the earlier records are stored as a previous run
 * would have left them, the job runs as an operator re-run, and its records are read back: what
 * the tables would hold for the period, the grants whose status changes on a daily run's date,
 * and every quarantined row.
 */
async function scoreOffline(
  job: SellerJob,
  period: string,
  data: OfflineData,
  options: { policy: Policy; now: string; onRows?: (n: number) => void },
): Promise<OfflineScore> {
  const store = openMemoryStore();
  const runId = `offline-${job}-${period}`;
  const { policy, now } = options;
  await importData(
    store,
    {
      categories: data.categories,
      sellers: data.sellers,
      grants: data.grants ?? [],
      exposure: data.exposure ?? [],
      registrations: data.registrations ?? [],
      metrics: data.metrics,
      ...(data.orders || data.exclusions ? { orders: data.orders ?? [], exclusions: data.exclusions ?? [] } : {}),
    },
    { policy, importId: runId, now, ...(options.onRows ? { onRows: options.onRows } : {}) },
  );
  const reference = new ReferenceRepository(store);
  const grades = new GradesRepository(store);
  const sellers = await reference.sellers();
  await storeEarlierRecords(grades, new QuarantineRepository(store), data.grades ?? [], { sellers, policy, now, runId });

  const date = runDateOf(job, period);
  await runJob(
    { job, period, trigger: 'operator', requestedBy: 'grader score', reason: 'offline evaluation', asOf: date, runId },
    { store, policy, now: () => now },
  );

  const bySeller = (a: GradeRecord, b: GradeRecord) => (a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0);
  const categories = (await reference.categories()).map((c) => c.categoryId);
  let records: GradeRecord[];
  if (job === 'monthly') {
    records = [...(await grades.listPeriodIn('operationTier', period, categories)), ...(await grades.listPeriodIn('serviceLevel', period, categories))];
  } else if (job === 'quarterly') {
    records = await grades.listPeriodIn('merchantAssessment', period, categories);
  } else {
    const ids = sellers.map((s) => s.sellerId);
    const current = await grades.getMany(ids.flatMap((sellerId) => ['status', 'goodSellerGrant', 'healthCheck'].map((sk) => ({ sellerId, sk }))));
    const changesOnDate = (r: GradeRecord) => {
      if (r.kind !== 'goodSellerGrant') return true;
      const grant = grantOfRecord(r);
      return grantStatusOn(grant, period, policy) !== grantStatusOn(grant, addDays(period, -1), policy);
    };
    records = [...(await new DailyScorePacks(store).on(sellers, period)), ...current.filter(changesOnDate)];
  }
  const order = ['dailyScore', 'operationTier', 'serviceLevel', 'merchantAssessment', 'status', 'goodSellerGrant', 'healthCheck'];
  records.sort((a, b) => bySeller(a, b) || order.indexOf(a.kind) - order.indexOf(b.kind));
  return { records, quarantine: await new QuarantineRepository(store).all() };
}

/**
 * Stores the records of earlier runs that a job reads (grades in force, grants, health checks),
 * each filed under its seller's category. A grant the data folder also gives is the folder's; an
 * invalid line is quarantined with its reason, as `grader import` quarantines one.
 */
async function storeEarlierRecords(
  grades: GradesRepository,
  quarantine: QuarantineRepository,
  lines: unknown[],
  context: { sellers: { sellerId: string; categoryId: string }[]; policy: Policy; now: string; runId: string },
): Promise<void> {
  if (lines.length === 0) return;
  const boundary = new InputBoundary({ policy: context.policy, ingestedOn: '9999-12-31' });
  const categoryOf = new Map(context.sellers.map((s) => [s.sellerId, s.categoryId]));
  const imported = new Set((await grades.getMany(context.sellers.map((s) => ({ sellerId: s.sellerId, sk: 'goodSellerGrant' })))).map((r) => r.sellerId));
  const earlier: (EarlierRecord & { categoryId: string })[] = [];
  const grants: GoodSellerGrantRecord[] = [];
  for (const raw of lines) {
    const r = earlierRecord(boundary, inputLine(raw));
    const categoryId = r && r.kind !== 'quarantine' ? categoryOf.get(r.sellerId) : undefined;
    if (!r || !categoryId) continue;
    if (r.kind === 'goodSellerGrant') {
      if (imported.has(r.sellerId)) continue;
      const grant = grantOfRecord(r);
      grants.push(
        grantRecord(
          grant,
          categoryId,
          grant.revokedOn && grant.revokedOn > grant.approvedOn ? grant.revokedOn : grant.approvedOn,
          context.policy,
          context.runId,
        ),
      );
    } else if (r.kind === 'operationTier' || r.kind === 'serviceLevel' || r.kind === 'merchantAssessment' || r.kind === 'healthCheck') {
      earlier.push({ ...r, categoryId });
    }
  }
  await grades.putEarlier(earlier, context.now);
  await grades.writeChanged(grants, { now: context.now });
  await quarantine.put(boundary.quarantined, context.runId, context.now);
}

export { scoreOffline };
export type { OfflineData, OfflineScore };
