import { addDays, type Job, monthOf, quarterInForceOn } from './calendar';
import { type GoodSellerGrant, type GrantStatus, grantExpiresOn, grantStatusOn } from './goodSeller';
import { effectiveMerchantTier, type MerchantTierName } from './merchantTier';
import type { OperationTierName } from './operationTier';
import type { Policy, ServiceLevel } from './policy';
import type { EarlierRecord } from './inputBoundary';
import type { GradeRecord, StatusRecord } from './records';
import { programActiveOn, storefrontLabel, type ProgramSpan } from './storefrontLabel';

/** The grades in force for one seller on a date, picked from earlier records. */
interface GradesInForce {
  operationTier: { tier: OperationTierName; period: string } | null;
  serviceLevel: { level: ServiceLevel; period: string } | null;
  assessment: { assessedTier: MerchantTierName; quarter: string } | null;
}

/**
 * From a seller's records: the operation tier and service level of the latest month up to the
 * date's month, and the latest merchant assessment that has taken effect (SPEC §6, §7.2).
 */
function gradesInForce(records: Iterable<GradeRecord | EarlierRecord>, date: string): GradesInForce {
  const month = monthOf(date);
  const found: GradesInForce = { operationTier: null, serviceLevel: null, assessment: null };
  let assessmentFrom = '';
  for (const r of records) {
    if (r.kind === 'operationTier' && r.period <= month && (!found.operationTier || r.period > found.operationTier.period)) {
      found.operationTier = { tier: r.tier, period: r.period };
    } else if (r.kind === 'serviceLevel' && r.period <= month && (!found.serviceLevel || r.period > found.serviceLevel.period)) {
      found.serviceLevel = { level: r.level, period: r.period };
    } else if (r.kind === 'merchantAssessment' && r.effectiveFrom <= date && r.effectiveFrom > assessmentFrom) {
      assessmentFrom = r.effectiveFrom;
      found.assessment = { assessedTier: r.assessedTier, quarter: r.quarter };
    }
  }
  return found;
}

/** A seller's Good Seller grant as the status shows it. */
interface GoodSellerState {
  status: GrantStatus;
  expiresOn: string;
}

/** The grant's state on a date. */
function goodSellerStateOn(grant: GoodSellerGrant, date: string, policy: Policy): GoodSellerState | null {
  // a status knows only what was decided by its date (SPEC §8.1): a later approval is not in it
  if (grant.approvedOn > date) return null;
  return { status: grantStatusOn(grant, date, policy), expiresOn: grantExpiresOn(grant.approvedOn, policy) };
}

/** A seller's current status on a date: grades in force, effective merchant tier, the one label (SPEC §7.3–§7.4, §8.1). */
function statusOn(input: {
  sellerId: string;
  categoryId: string;
  date: string;
  programs: { mall?: ProgramSpan | null | undefined; jbp?: ProgramSpan | null | undefined; styled?: ProgramSpan | null | undefined };
  inForce: GradesInForce;
  goodSeller: GoodSellerState | null;
  policy: Policy;
  runId: string;
}): StatusRecord {
  const { date, policy, inForce } = input;
  const grantStatus = input.goodSeller?.status ?? null;
  const assessed = inForce.assessment?.assessedTier ?? 'ordinary';
  const merchant = effectiveMerchantTier(assessed, grantStatus === 'active');
  const active = {
    mall: programActiveOn(input.programs.mall, date),
    jbp: programActiveOn(input.programs.jbp, date),
    styled: programActiveOn(input.programs.styled, date),
  };
  const operationTier = inForce.operationTier?.tier ?? 'basic';
  const benefits = [...policy.tiers.benefits[operationTier], ...policy.merchantTier.benefits[merchant.effective], ...(active.mall ? policy.mallBenefits : [])];
  return {
    kind: 'status',
    sellerId: input.sellerId,
    categoryId: input.categoryId,
    asOf: date,
    operationTier: inForce.operationTier,
    serviceLevel: inForce.serviceLevel,
    merchantTier: { effective: merchant.effective, assessed, source: merchant.source, quarter: inForce.assessment?.quarter ?? null },
    goodSeller: input.goodSeller,
    ...active,
    frontBadge: storefrontLabel({ ...active, effectiveTier: merchant.effective }, policy.frontBadgePriority),
    benefits,
    policyVersion: policy.version,
    runId: input.runId,
  };
}

/**
 * Whether every status may change on a date with nothing else changed: a new month's grades or a
 * quarter's merchant tier take effect.
 */
function statusesTurnOn(date: string, policy: Policy): boolean {
  const before = addDays(date, -1);
  return (
    monthOf(before) !== monthOf(date) ||
    quarterInForceOn(before, policy.merchantTier.effectiveFromDay) !== quarterInForceOn(date, policy.merchantTier.effectiveFromDay)
  );
}

/**
 * Whether one seller's status may differ between the day before and this date when its records,
 * profile, grant and the policy stayed the same: a program starts or ends, or its grant changes
 * state (SPEC §7.3, §7.4). The daily job refreshes only these sellers after a day it refreshed in
 * full with the same inputs (docs/data-model.md).
 */
function statusMayChangeOn(
  date: string,
  programs: { mall?: ProgramSpan | null | undefined; jbp?: ProgramSpan | null | undefined; styled?: ProgramSpan | null | undefined },
  grant: GoodSellerGrant | null,
  policy: Policy,
): boolean {
  const before = addDays(date, -1);
  const programTurns = [programs.mall, programs.jbp, programs.styled].some((p) => programActiveOn(p, before) !== programActiveOn(p, date));
  return programTurns || (grant !== null && grantStatusOn(grant, before, policy) !== grantStatusOn(grant, date, policy));
}

/**
 * Whether a stored status must be rebuilt from its seller's records on `date` rather than reused:
 * there is none, a month or quarter has taken effect since its `asOf` (a status is rewritten
 * whenever one does), or it shows a live grant that is live no more (revoked, or corrected by an
 * import).
 */
function statusIsStale(
  stored: { asOf: string; goodSeller: { status: GrantStatus } | null } | undefined,
  date: string,
  grantIsLive: boolean,
  policy: Policy,
): boolean {
  if (!stored) return true;
  const showsLiveGrant = stored.goodSeller?.status === 'active' || stored.goodSeller?.status === 'pending';
  const { effectiveFromDay } = policy.merchantTier;
  return (
    (showsLiveGrant && !grantIsLive) ||
    monthOf(stored.asOf) !== monthOf(date) ||
    quarterInForceOn(stored.asOf, effectiveFromDay) !== quarterInForceOn(date, effectiveFromDay)
  );
}

/**
 * Whether a run writes current records (statuses, grants) besides its period's own: always but for
 * a daily re-run of a past date, which rebuilds that date's daily scores only — a past date must not
 * overwrite what is current.
 */
function writesCurrentRecords(job: Job, period: string, asOf: string): boolean {
  return (job !== 'daily' && job !== 'growth') || asOf <= period;
}

/** What a daily run knows of itself and of the scheduled run of the day before. */
interface DailyRunFacts {
  trigger: 'schedule' | 'operator';
  period: string;
  asOf: string;
  policyVersion: string;
  referenceRevision: number | null;
}

/** Whether a daily run may build on the day before's run at all: it is the scheduled run of its own date and no month or quarter takes effect. */
function followsDayBefore(run: Omit<DailyRunFacts, 'referenceRevision' | 'policyVersion'>, policy: Policy): boolean {
  return run.trigger === 'schedule' && run.asOf === run.period && !statusesTurnOn(run.period, policy);
}

/**
 * Whether a daily run may refresh only the statuses that can change on its date
 * (`statusMayChangeOn`): it follows the day before (`followsDayBefore`), and that day's scheduled
 * run succeeded, wrote, and read the same reference data under the same policy. Otherwise every
 * status is refreshed.
 */
function refreshesPartially(run: DailyRunFacts, dayBefore: (DailyRunFacts & { status: string; dryRun: boolean }) | null, policy: Policy): boolean {
  return (
    followsDayBefore(run, policy) &&
    dayBefore?.status === 'succeeded' &&
    !dayBefore.dryRun &&
    dayBefore.policyVersion === policy.version &&
    dayBefore.referenceRevision === run.referenceRevision
  );
}

export {
  followsDayBefore,
  goodSellerStateOn,
  gradesInForce,
  refreshesPartially,
  statusIsStale,
  statusMayChangeOn,
  statusesTurnOn,
  statusOn,
  writesCurrentRecords,
};
export type { DailyRunFacts };
export type { GoodSellerState, GradesInForce };
