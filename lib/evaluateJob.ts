import { WindowAggregator } from './aggregate';
import type { Job } from './calendar';
import type { GoodSellerGrant } from './goodSeller';
import type { TotalsMatrix } from './grading';
import { categorySchema, describeIssues, grantInputSchema, sellerProfileSchema, type Category } from './inputs';
import { dailyRecords, jobWindows, monthlyRecords, quarterlyRecords, type JobSeller } from './jobs';
import type { Policy } from './policy';
import type { GradeRecord, QuarantineRecord } from './records';
import { gradesInForce, type GradesInForce } from './status';

/** Reference data of a job: categories, sellers, Good Seller grants, and records of earlier runs. */
interface JobReferenceData {
  categories: Iterable<unknown>;
  sellers: Iterable<unknown>;
  grants?: Iterable<unknown>;
  grades?: Iterable<GradeRecord>;
}

/** Which sellers a re-run writes: a list of sellers and/or categories (SPEC §8.3); all when empty. */
interface SellerFilter {
  sellers?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
}

interface PreparedJob {
  sellers: JobSeller[];
  /** invalid reference rows, found while preparing */
  quarantined: QuarantineRecord[];
  /** folds one metric row into the job's windows; returns its quarantine record when invalid */
  addMetricRow(raw: unknown): QuarantineRecord | null;
  metricQuarantine(): QuarantineRecord[];
  /** the job's records for its wanted sellers, built pool by pool */
  records(): Generator<GradeRecord>;
}

/** Validates reference rows, keeping the first of each key and quarantining the rest with a reason. */
function validateReference(data: JobReferenceData) {
  const quarantined: QuarantineRecord[] = [];
  const categories = new Map<string, Category>();
  for (const raw of data.categories) {
    const parsed = categorySchema.safeParse(raw);
    if (!parsed.success) quarantined.push(quarantineRecord('categories', raw, ['categoryId'], describeIssues(parsed.error)));
    else if (categories.has(parsed.data.categoryId)) quarantined.push(quarantineRecord('categories', raw, ['categoryId'], `category ${parsed.data.categoryId}: repeats an earlier row`));
    else categories.set(parsed.data.categoryId, parsed.data);
  }
  const sellers: JobSeller[] = [];
  const sellerIndex = new Map<string, number>();
  for (const raw of data.sellers) {
    const parsed = sellerProfileSchema.safeParse(raw);
    if (!parsed.success) {
      quarantined.push(quarantineRecord('sellers', raw, ['sellerId'], describeIssues(parsed.error)));
      continue;
    }
    const s = parsed.data;
    const category = categories.get(s.categoryId);
    if (sellerIndex.has(s.sellerId)) quarantined.push(quarantineRecord('sellers', raw, ['sellerId'], `seller ${s.sellerId}: repeats an earlier row`));
    else if (!category) quarantined.push(quarantineRecord('sellers', raw, ['sellerId'], `seller ${s.sellerId}: categoryId ${s.categoryId} is not a known category`));
    else {
      sellerIndex.set(s.sellerId, sellers.length);
      sellers.push({ sellerId: s.sellerId, categoryId: s.categoryId, parentId: category.parentId, mall: s.mall, jbp: s.jbp, styled: s.styled });
    }
  }
  const grants = new Map<string, GoodSellerGrant>();
  for (const raw of data.grants ?? []) {
    const parsed = grantInputSchema.safeParse(raw);
    if (!parsed.success) quarantined.push(quarantineRecord('grants', raw, ['sellerId', 'approvedOn'], describeIssues(parsed.error)));
    else if (!sellerIndex.has(parsed.data.sellerId)) quarantined.push(quarantineRecord('grants', raw, ['sellerId', 'approvedOn'], `seller ${parsed.data.sellerId}: unknown seller`));
    else if (grants.has(parsed.data.sellerId)) quarantined.push(quarantineRecord('grants', raw, ['sellerId', 'approvedOn'], `seller ${parsed.data.sellerId}: a seller has at most one grant; the first one stands`));
    else grants.set(parsed.data.sellerId, parsed.data);
  }
  return { quarantined, sellers, sellerIndex, grants };
}

/** A quarantine record for a raw input row: its key fields as far as they can be read, and the reason. */
function quarantineRecord(source: QuarantineRecord['source'], raw: unknown, keyFields: string[], reason: string): QuarantineRecord {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return { kind: 'quarantine', source, key: Object.fromEntries(keyFields.map((f) => [f, r[f] ?? null])), reason };
}

/** Prepares a job for its period: validates the reference data and opens its windows (SPEC §2–§3). */
function prepareJob(job: Job, period: string, data: JobReferenceData, policy: Policy, runId: string, filter: SellerFilter = {}): PreparedJob {
  const { quarantined, sellers, sellerIndex, grants } = validateReference(data);
  const aggregator = new WindowAggregator(sellerIndex, jobWindows(job, period, policy));
  const wantedSellers = filter.sellers?.length ? new Set(filter.sellers) : null;
  const wantedCategories = filter.categories?.length ? new Set(filter.categories) : null;
  const wanted = wantedSellers || wantedCategories
    ? (s: number) => (wantedSellers?.has(sellers[s]!.sellerId) ?? false) || (wantedCategories?.has(sellers[s]!.categoryId) ?? false)
    : undefined;
  const ctx = { sellers, policy, runId, wanted };

  function* records(): Generator<GradeRecord> {
    const t = aggregator.totals as Record<string, TotalsMatrix>;
    if (job === 'monthly') {
      yield* monthlyRecords(ctx, period, { scoring: t.scoring!, previousGmvCents: aggregator.gmvCents('previous'), service: t.service! });
    } else if (job === 'quarterly') {
      yield* quarterlyRecords(ctx, period, { assessment: t.assessment! });
    } else {
      const bySeller = groupGrades(data.grades ?? []);
      const inForce = (s: number): GradesInForce => gradesInForce(bySeller.get(sellers[s]!.sellerId) ?? [], period);
      const grantOf = (s: number) => grants.get(sellers[s]!.sellerId) ?? grantFromRecords(bySeller.get(sellers[s]!.sellerId));
      yield* dailyRecords({ ...ctx, inForce, grantOf }, period, {
        scoring: t.scoring!, previousGmvCents: aggregator.gmvCents('previous'), merchant: t.merchant!,
      });
    }
  }

  return {
    sellers,
    quarantined,
    addMetricRow: (raw) => aggregator.add(raw),
    metricQuarantine: () => aggregator.quarantined,
    records,
  };
}

function groupGrades(grades: Iterable<GradeRecord>): Map<string, GradeRecord[]> {
  const bySeller = new Map<string, GradeRecord[]>();
  for (const r of grades) {
    const list = bySeller.get(r.sellerId);
    if (list) list.push(r);
    else bySeller.set(r.sellerId, [r]);
  }
  return bySeller;
}

/** A grant known only from an earlier run's goodSellerGrant record. */
function grantFromRecords(records: GradeRecord[] | undefined): GoodSellerGrant | null {
  const r = records?.find((x) => x.kind === 'goodSellerGrant');
  if (!r || r.kind !== 'goodSellerGrant') return null;
  return {
    sellerId: r.sellerId, appliedOn: r.appliedOn, approvedOn: r.approvedOn, approvedBy: r.approvedBy, note: r.note ?? undefined,
    revokedOn: r.status === 'revoked' ? r.endedOn : null, revokedBy: r.revokedBy,
  };
}

export { prepareJob, quarantineRecord, validateReference };
export type { JobReferenceData, PreparedJob, SellerFilter };
