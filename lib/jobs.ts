import { dailyWindows, epochDay, monthlyWindows, quarterlyWindows, windowLength, type DateWindow } from './calendar';
import { grantEndedOn, grantExpiresOn, grantStatusOn, type GoodSellerGrant } from './goodSeller';
import { gradesOfWindow, type TotalsMatrix, type WindowGrade } from './grading';
import { assessMerchant } from './merchantTier';
import { FIELD_COUNT } from './metrics';
import { tierBenefits } from './operationTier';
import { lookupByCategory, type Policy } from './policy';
import { carryForward, findingsChanged, openFindings } from './healthCheck';
import type { Exposure, Registration } from './inputs';
import type {
  DailyScoreRecord,
  GoodSellerGrantRecord,
  HealthCheckRecord,
  MerchantAssessmentRecord,
  OperationTierRecord,
  ServiceLevelRecord,
  StatusRecord,
} from './records';
import { assessServiceLevel } from './serviceLevel';
import { goodSellerStateOn, statusOn, type GoodSellerState, type GradesInForce } from './status';
import type { ProgramSpan } from './storefrontLabel';

/** A seller as a job sees it: identity, pool keys and programs. */
interface JobSeller {
  sellerId: string;
  categoryId: string;
  parentId: string;
  mall?: ProgramSpan | null | undefined;
  jbp?: ProgramSpan | null | undefined;
  styled?: ProgramSpan | null | undefined;
}

interface JobContext {
  sellers: JobSeller[];
  policy: Policy;
  runId: string;
  /** limits the records built (SPEC §8.3: pools are still computed in full); all when absent */
  wanted?: ((seller: number) => boolean) | undefined;
}

/** The windows a job reads for its period, named (SPEC §2). */
function jobWindows(job: 'daily' | 'monthly' | 'quarterly', period: string, policy: Policy): Record<string, DateWindow> {
  switch (job) {
    case 'daily':
      return dailyWindows(period, policy.merchantTier.windowDays);
    case 'monthly':
      return monthlyWindows(period, policy.serviceLevel.windowDays, policy.serviceLevel.extendedWindowDays);
    case 'quarterly':
      return { assessment: quarterlyWindows(period, policy.merchantTier.windowDays, policy.merchantTier.effectiveFromDay).assessment };
  }
}

function totalsOf(m: TotalsMatrix, s: number): Float64Array {
  return m.sums.subarray(s * FIELD_COUNT, (s + 1) * FIELD_COUNT);
}

const gradeFields = (g: WindowGrade) => ({
  poolId: g.poolId,
  composite: g.composite,
  abilities: g.abilities,
  indicators: g.indicators,
});

/** The monthly job for month M: operation tier and service level of every wanted seller (SPEC §6, §7.1). */
function* monthlyRecords(
  ctx: JobContext,
  period: string,
  totals: { scoring: TotalsMatrix; previousGmvCents: Float64Array; service: TotalsMatrix; serviceExtended?: TotalsMatrix | undefined },
  grades?: Iterable<[number, WindowGrade]>,
): Generator<OperationTierRecord | ServiceLevelRecord> {
  const { policy, runId, sellers } = ctx;
  const w = monthlyWindows(period, policy.serviceLevel.windowDays, policy.serviceLevel.extendedWindowDays);
  for (const [s, grade] of grades ?? gradesOfWindow(sellers, totals.scoring, totals.previousGmvCents, windowLength(w.scoring), policy, ctx.wanted)) {
    const seller = sellers[s]!;
    const base = { sellerId: seller.sellerId, categoryId: seller.categoryId, period, policyVersion: policy.version, runId };
    yield {
      kind: 'operationTier',
      ...base,
      window: w.scoring,
      ...gradeFields(grade),
      tier: grade.tier,
      reason: grade.reason,
      thresholds: grade.thresholds,
      nextTier: grade.nextTier,
      benefits: tierBenefits(grade.tier, policy),
    };
    yield { kind: 'serviceLevel', ...base, ...serviceLevelOver(w, totals, s, policy) };
  }
}

/**
 * The service level over the 90-day window, or over the policy's extended window when the seller
 * closed too few orders in 90 days and the extended window reaches the minimum (SPEC §7.1).
 */
function serviceLevelOver(
  w: { service: DateWindow; serviceExtended?: DateWindow | undefined },
  totals: { service: TotalsMatrix; serviceExtended?: TotalsMatrix | undefined },
  s: number,
  policy: Policy,
) {
  const regular = assessServiceLevel(totalsOf(totals.service, s), policy);
  if (regular.level === 'notAssessed' && w.serviceExtended && totals.serviceExtended) {
    const extended = assessServiceLevel(totalsOf(totals.serviceExtended, s), policy);
    if (extended.level !== 'notAssessed') return { window: w.serviceExtended, ...extended };
  }
  return { window: w.service, ...regular };
}

/** The quarterly job for quarter Q: every wanted seller's merchant assessment (SPEC §7.2). */
function* quarterlyRecords(
  ctx: JobContext,
  quarter: string,
  totals: { assessment: TotalsMatrix },
  only?: Iterable<number>,
): Generator<MerchantAssessmentRecord> {
  const { policy, runId, sellers } = ctx;
  const q = quarterlyWindows(quarter, policy.merchantTier.windowDays, policy.merchantTier.effectiveFromDay);
  for (const s of only ?? sellers.keys()) {
    if (ctx.wanted && !ctx.wanted(s)) continue;
    const seller = sellers[s]!;
    const criteria = lookupByCategory(policy.merchantTier.criteria, seller.categoryId, seller.parentId);
    yield {
      kind: 'merchantAssessment',
      sellerId: seller.sellerId,
      categoryId: seller.categoryId,
      quarter,
      window: q.assessment,
      effectiveFrom: q.effectiveFrom,
      effectiveUntil: q.effectiveUntil,
      ...assessMerchant(totalsOf(totals.assessment, s), criteria, policy),
      policyVersion: policy.version,
      runId,
    };
  }
}

/** A grant's record as of a date (SPEC §7.3, §10). */
function grantRecord(grant: GoodSellerGrant, categoryId: string, date: string, policy: Policy, runId: string): GoodSellerGrantRecord {
  return {
    kind: 'goodSellerGrant',
    sellerId: grant.sellerId,
    categoryId,
    appliedOn: grant.appliedOn,
    approvedOn: grant.approvedOn,
    approvedBy: grant.approvedBy,
    note: grant.note ?? null,
    expiresOn: grantExpiresOn(grant.approvedOn, policy),
    status: grantStatusOn(grant, date, policy),
    endedOn: grantEndedOn(grant, date, policy),
    revokedBy: grantStatusOn(grant, date, policy) === 'revoked' ? (grant.revokedBy ?? null) : null,
    policyVersion: policy.version,
    runId,
  };
}

/**
 * The daily job for date D: each wanted seller's daily score with projected tier and merchant
 * assessment, its current status, and its live grant as of D (SPEC §2, §6, §7).
 */
function* dailyRecords(
  ctx: JobContext & {
    inForce: (seller: number) => GradesInForce;
    /** the seller's live grant, its record refreshed on D */
    grantOf: (seller: number) => GoodSellerGrant | null;
    /** the grant as the status shows it, for sellers without a live grant */
    goodSellerOf: (seller: number) => GoodSellerState | null;
    /** the sellers whose status and grant are refreshed; all when absent */
    refresh?: (seller: number) => boolean;
    /** the health check (SPEC §7.5); none when absent */
    health?: HealthContext;
  },
  date: string,
  totals: { scoring: TotalsMatrix; previousGmvCents: Float64Array; merchant: TotalsMatrix },
  grades?: Iterable<[number, WindowGrade]>,
): Generator<DailyScoreRecord | StatusRecord | GoodSellerGrantRecord | HealthCheckRecord> {
  const { policy, runId, sellers } = ctx;
  const w = dailyWindows(date, policy.merchantTier.windowDays);
  const expiresAt = (epochDay(date) + policy.dailyScoreRetentionDays) * 86_400;
  for (const [s, grade] of grades ?? gradesOfWindow(sellers, totals.scoring, totals.previousGmvCents, windowLength(w.scoring), policy, ctx.wanted)) {
    const seller = sellers[s]!;
    const criteria = lookupByCategory(policy.merchantTier.criteria, seller.categoryId, seller.parentId);
    const merchant = assessMerchant(totalsOf(totals.merchant, s), criteria, policy);
    yield {
      kind: 'dailyScore',
      sellerId: seller.sellerId,
      categoryId: seller.categoryId,
      date,
      window: w.scoring,
      ...gradeFields(grade),
      projectedTier: { tier: grade.tier, reason: grade.reason, thresholds: grade.thresholds, nextTier: grade.nextTier },
      // the ids of unmet criteria, not the full criteria: a daily record is written for every seller every day
      projectedMerchant: {
        assessedTier: merchant.assessedTier,
        window: w.merchant,
        unmet: { gold: merchant.criteria.gold.filter((c) => !c.met).map((c) => c.id), silver: merchant.criteria.silver.filter((c) => !c.met).map((c) => c.id) },
      },
      expiresAt,
      policyVersion: policy.version,
      runId,
    };
    const refreshed = !ctx.refresh || ctx.refresh(s);
    let status: StatusRecord | null = null;
    if (refreshed) {
      const grant = ctx.grantOf(s);
      const goodSeller = grant ? goodSellerStateOn(grant, date, policy) : ctx.goodSellerOf(s);
      status = statusOn({
        sellerId: seller.sellerId,
        categoryId: seller.categoryId,
        date,
        programs: seller,
        inForce: ctx.inForce(s),
        goodSeller,
        policy,
        runId,
      });
      yield status;
      if (grant) yield grantRecord(grant, seller.categoryId, date, policy, runId);
    }
    const health = ctx.health;
    const inForce = status ?? health?.statusOf?.(s) ?? null;
    if (health && inForce) {
      const input = health.inputs(s);
      const drafts = openFindings(
        {
          date,
          categoryId: seller.categoryId,
          parentId: seller.parentId,
          inForce: {
            operationTier: inForce.operationTier?.tier ?? null,
            serviceLevel: inForce.serviceLevel?.level ?? null,
            merchantAssessed: inForce.merchantTier.assessed,
            goodSeller: inForce.goodSeller,
          },
          projected: { operationTier: grade.tier, merchant, serviceLevel: assessServiceLevel(totalsOf(totals.merchant, s), policy) },
          daily: totalsOf(totals.scoring, s),
          quarantinedRows: input.quarantinedRows,
          exposure: input.exposure,
          registrations: input.registrations,
          flagsOf: health.flagsOf,
        },
        policy,
      );
      const previous = health.previous(s);
      const findings = carryForward(previous?.findings ?? [], drafts, date);
      yield {
        kind: 'healthCheck',
        sellerId: seller.sellerId,
        categoryId: seller.categoryId,
        // like a status's, the date the findings last changed
        asOf: previous && !findingsChanged(previous.findings, findings) ? previous.asOf : date,
        findings,
        policyVersion: policy.version,
        runId,
      };
    }
  }
}

/** What the daily job needs besides the windows to check a seller's health (SPEC §7.5). */
interface HealthContext {
  /** the seller's current healthCheck record, if any */
  previous: (seller: number) => HealthCheckRecord | null;
  inputs: (seller: number) => { exposure: readonly Exposure[]; registrations: readonly Registration[]; quarantinedRows: number };
  flagsOf: (categoryId: string) => readonly string[];
  /** the status in force of a seller whose status is not refreshed on D */
  statusOf?: (seller: number) => Pick<StatusRecord, 'operationTier' | 'serviceLevel' | 'merchantTier' | 'goodSeller'> | null;
}

export { dailyRecords, grantRecord, jobWindows, monthlyRecords, quarterlyRecords };
export type { HealthContext, JobContext, JobSeller };
