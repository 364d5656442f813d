import { WindowAggregator } from './aggregate';
import type { Job } from './calendar';
import { grantOfRecord, type GoodSellerGrant } from './goodSeller';
import type { TotalsMatrix } from './grading';
import { earlierRecord, InputBoundary, type EarlierRecord } from './inputBoundary';
import { inputLine } from './jsonLines';
import { OrderFeed, recordedKey } from './orderFeed';
import { foldOrders } from './orderOutcomes';
import { dailyRecords, jobWindows, monthlyRecords, quarterlyRecords, type JobSeller } from './jobs';
import type { Policy } from './policy';
import type { GradeRecord, QuarantineRecord } from './records';
import { gradesInForce, type GradesInForce } from './status';

/** Reference data of a job: categories, sellers, Good Seller grants, and records of earlier runs, as rows or parsed lines. */
interface JobReferenceData {
  categories: Iterable<unknown>;
  sellers: Iterable<unknown>;
  grants?: Iterable<unknown>;
  grades?: Iterable<unknown>;
  /** the order feed and the appeal decisions (SPEC §3.4), read whole by every job */
  orders?: Iterable<unknown>;
  exclusions?: Iterable<unknown>;
  /** the business date the rows are read on: later-dated rows are invalid (SPEC §3.3); no bound when absent */
  ingestedOn?: string;
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

/** Validates reference rows through the input boundary, keeping the first valid row of each key. */
function validateReference(data: JobReferenceData, policy: Policy) {
  const boundary = new InputBoundary({ policy, ingestedOn: data.ingestedOn ?? '9999-12-31' });
  for (const raw of data.categories) boundary.category(inputLine(raw));
  const sellers: JobSeller[] = [];
  const sellerIndex = new Map<string, number>();
  for (const raw of data.sellers) {
    const accepted = boundary.seller(inputLine(raw));
    if (!accepted) continue;
    const { profile: s, parentId } = accepted;
    sellerIndex.set(s.sellerId, sellers.length);
    sellers.push({ sellerId: s.sellerId, categoryId: s.categoryId, parentId, mall: s.mall, jbp: s.jbp, styled: s.styled });
  }
  const grants = new Map<string, GoodSellerGrant>();
  for (const raw of data.grants ?? []) {
    const g = boundary.grant(inputLine(raw));
    if (g) grants.set(g.sellerId, g);
  }
  const grades: EarlierRecord[] = [];
  for (const raw of data.grades ?? []) {
    const r = earlierRecord(boundary, inputLine(raw));
    if (r) grades.push(r);
  }
  const feed = new OrderFeed(boundary);
  for (const raw of data.orders ?? []) feed.addOutcome(inputLine(raw));
  let index = 0;
  for (const raw of data.exclusions ?? []) {
    const input = inputLine(raw);
    feed.addDecision(input, recordedKey('', input.line, index++));
  }
  feed.quarantineConflicts();
  const quarantined = [...boundary.quarantined];
  boundary.quarantined.length = 0;
  return { boundary, quarantined, sellers, sellerIndex, grants, grades, orderDays: foldOrders(feed.histories.values()) };
}

/** Prepares a job for its period: validates the reference data and opens its windows (SPEC §2–§3). */
function prepareJob(job: Job, period: string, data: JobReferenceData, policy: Policy, runId: string, filter: SellerFilter = {}): PreparedJob {
  const { boundary, quarantined, sellers, sellerIndex, grants, grades, orderDays } = validateReference(data, policy);
  const aggregator = new WindowAggregator(sellerIndex, jobWindows(job, period, policy), boundary);
  for (const [key, values] of orderDays) {
    const [sellerId, date] = key.split('|') as [string, string];
    aggregator.addDay(sellerId, date, values);
  }
  const wantedSellers = filter.sellers?.length ? new Set(filter.sellers) : null;
  const wantedCategories = filter.categories?.length ? new Set(filter.categories) : null;
  const wanted =
    wantedSellers || wantedCategories
      ? (s: number) => (wantedSellers?.has(sellers[s]!.sellerId) ?? false) || (wantedCategories?.has(sellers[s]!.categoryId) ?? false)
      : undefined;
  const ctx = { sellers, policy, runId, wanted };

  function* records(): Generator<GradeRecord> {
    const t = aggregator.totals as Record<string, TotalsMatrix>;
    if (job === 'monthly') {
      yield* monthlyRecords(ctx, period, {
        scoring: t.scoring!,
        previousGmvCents: aggregator.gmvCents('previous'),
        service: t.service!,
        serviceExtended: t.serviceExtended,
      });
    } else if (job === 'quarterly') {
      yield* quarterlyRecords(ctx, period, { assessment: t.assessment! });
    } else {
      const bySeller = groupGrades(grades);
      const inForce = (s: number): GradesInForce => gradesInForce(bySeller.get(sellers[s]!.sellerId) ?? [], period);
      const grantOf = (s: number) => grants.get(sellers[s]!.sellerId) ?? grantFromRecords(bySeller.get(sellers[s]!.sellerId));
      yield* dailyRecords({ ...ctx, inForce, grantOf }, period, {
        scoring: t.scoring!,
        previousGmvCents: aggregator.gmvCents('previous'),
        merchant: t.merchant!,
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

function groupGrades(grades: Iterable<EarlierRecord>): Map<string, EarlierRecord[]> {
  const bySeller = new Map<string, EarlierRecord[]>();
  for (const r of grades) {
    if (r.kind === 'quarantine') continue;
    const list = bySeller.get(r.sellerId);
    if (list) list.push(r);
    else bySeller.set(r.sellerId, [r]);
  }
  return bySeller;
}

/** A grant known only from an earlier run's goodSellerGrant record. */
function grantFromRecords(records: EarlierRecord[] | undefined): GoodSellerGrant | null {
  const r = records?.find((x) => x.kind === 'goodSellerGrant');
  return r?.kind === 'goodSellerGrant' ? grantOfRecord(r) : null;
}

export { prepareJob, validateReference };
export type { JobReferenceData, PreparedJob, SellerFilter };
