import { addDays, monthOf, quarterInForceOn } from './calendar';
import { grantExpiresOn, grantStatusOn, type GoodSellerGrant, type GrantStatus } from './goodSeller';
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

export { goodSellerStateOn, gradesInForce, statusMayChangeOn, statusesTurnOn, statusOn };
export type { GoodSellerState, GradesInForce };
