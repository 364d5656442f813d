import { WindowAggregator } from './aggregate';
import { isCalendarDate, type SellerJob } from './calendar';
import { grantOfRecord, type GoodSellerGrant } from './goodSeller';
import type { TotalsMatrix } from './grading';
import { earlierRecord, InputBoundary, type EarlierRecord } from './inputBoundary';
import { inputLine } from './jsonLines';
import { OrderFeed, recordedKey } from './orderFeed';
import { foldOrders } from './orderOutcomes';
import type { Exposure, Registration } from './inputs';
import { dailyRecords, jobWindows, monthlyRecords, quarterlyRecords, type HealthContext, type JobSeller } from './jobs';
import type { Policy } from './policy';
import type { GradeRecord, HealthCheckRecord, QuarantineRecord } from './records';
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
  /** compliance inputs (SPEC §7.5): market exposure and registrations */
  exposure?: Iterable<unknown>;
  registrations?: Iterable<unknown>;
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
  const categoryFlags = new Map<string, readonly string[]>();
  for (const raw of data.categories) {
    const c = boundary.category(inputLine(raw));
    if (c) categoryFlags.set(c.categoryId, c.flags ?? []);
  }
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
  const exposure = new Map<string, Exposure[]>();
  const registrations = new Map<string, Registration[]>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => (map.get(key) ?? map.set(key, []).get(key)!).push(value);
  for (const raw of data.exposure ?? []) {
    const e = boundary.exposure(inputLine(raw));
    if (e) push(exposure, e.sellerId, e);
  }
  for (const raw of data.registrations ?? []) {
    const r = boundary.registration(inputLine(raw));
    if (r) push(registrations, r.sellerId, r);
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
  const compliance = { flags: categoryFlags, exposure, registrations };
  return { boundary, quarantined, sellers, sellerIndex, grants, grades, orderDays: foldOrders(feed.histories.values()), compliance };
}

/** Prepares a job for its period: validates the reference data and opens its windows (SPEC §2–§3). */
function prepareJob(job: SellerJob, period: string, data: JobReferenceData, policy: Policy, runId: string, filter: SellerFilter = {}): PreparedJob {
  const { boundary, quarantined, sellers, sellerIndex, grants, grades, orderDays, compliance } = validateReference(data, policy);
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
      const window = jobWindows('daily', period, policy).scoring!;
      const quarantinedIn = new Map<string, number>();
      for (const q of aggregator.quarantined) {
        const { sellerId, date } = q.key as { sellerId?: unknown; date?: unknown };
        // a row whose date is not a calendar date lies in no window (SPEC §7.5), though `2026-02-30` sorts inside one
        if (typeof sellerId === 'string' && typeof date === 'string' && isCalendarDate(date) && date >= window.start && date <= window.end) {
          quarantinedIn.set(sellerId, (quarantinedIn.get(sellerId) ?? 0) + 1);
        }
      }
      const health: HealthContext = {
        previous: (s) => healthCheckOf(bySeller.get(sellers[s]!.sellerId)),
        inputs: (s) => {
          const id = sellers[s]!.sellerId;
          return {
            exposure: compliance.exposure.get(id) ?? [],
            registrations: compliance.registrations.get(id) ?? [],
            quarantinedRows: quarantinedIn.get(id) ?? 0,
          };
        },
        flagsOf: (categoryId) => compliance.flags.get(categoryId) ?? [],
      };
      yield* dailyRecords({ ...ctx, inForce, grantOf, health }, period, {
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

/** A seller's healthCheck record from an earlier run, as the daily job carries its findings forward. */
function healthCheckOf(records: EarlierRecord[] | undefined): HealthCheckRecord | null {
  const r = records?.find((x) => x.kind === 'healthCheck');
  return r?.kind === 'healthCheck' ? (r as unknown as HealthCheckRecord) : null;
}

/** A grant known only from an earlier run's goodSellerGrant record. */
function grantFromRecords(records: EarlierRecord[] | undefined): GoodSellerGrant | null {
  const r = records?.find((x) => x.kind === 'goodSellerGrant');
  return r?.kind === 'goodSellerGrant' ? grantOfRecord(r) : null;
}

export { prepareJob, validateReference };
export type { JobReferenceData, PreparedJob, SellerFilter };
