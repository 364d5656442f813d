import { addDays, subtractMonthsClamped, windowEndingOn, type DateWindow } from './calendar';
import type { GoodSellerCriteria, Policy } from './policy';
import { rawRate, total, type WindowTotals } from './totals';

/** A China Good Seller approval as recorded by an operator (SPEC §7.3). */
interface GoodSellerGrant {
  sellerId: string;
  appliedOn: string;
  approvedOn: string;
  approvedBy: string;
  note?: string | null | undefined;
  revokedOn?: string | null | undefined;
  revokedBy?: string | null | undefined;
}

const GRANT_STATUSES = ['pending', 'active', 'expired', 'revoked'] as const;
type GrantStatus = (typeof GRANT_STATUSES)[number];

/** The approval behind a goodSellerGrant record (SPEC §10): what a later run needs to follow the grant. */
function grantOfRecord(r: {
  sellerId: string;
  appliedOn: string;
  approvedOn: string;
  approvedBy: string;
  note?: string | null | undefined;
  status: GrantStatus;
  endedOn?: string | null | undefined;
  revokedBy?: string | null | undefined;
}): GoodSellerGrant {
  return {
    sellerId: r.sellerId,
    appliedOn: r.appliedOn,
    approvedOn: r.approvedOn,
    approvedBy: r.approvedBy,
    note: r.note ?? null,
    revokedOn: r.status === 'revoked' ? (r.endedOn ?? null) : null,
    revokedBy: r.revokedBy ?? null,
  };
}

interface FailedRule {
  id: 'storeAge' | 'previousGrant' | 'approvalOrder' | 'gmvUsd' | 'positiveRatingRate';
  actual: number | string | null;
  required: string;
}

type Eligibility = { eligible: true; failed: [] } | { eligible: false; failed: FailedRule[] };

/** The window whose hard criteria an approval checks: the days just before `approvedOn`. */
function goodSellerLookback(approvedOn: string, policy: Policy): DateWindow {
  return windowEndingOn(addDays(approvedOn, -1), policy.goodSeller.lookbackDays);
}

/**
 * An approval is refused with every failed reason unless the store opened within the last 12
 * months of `appliedOn`, never had a grant, and meets the hard criteria before `approvedOn` (SPEC §7.3).
 */
function goodSellerEligibility(input: {
  openedOn: string;
  appliedOn: string;
  approvedOn: string;
  hadGrantBefore: boolean;
  lookbackTotals: WindowTotals;
  criteria: GoodSellerCriteria;
  policy: Policy;
}): Eligibility {
  const failed: FailedRule[] = [];
  const earliestOpening = subtractMonthsClamped(input.appliedOn, input.policy.goodSeller.maxStoreAgeMonths);
  if (input.openedOn < earliestOpening) failed.push({ id: 'storeAge', actual: input.openedOn, required: `openedOn >= ${earliestOpening}` });
  if (input.hadGrantBefore) failed.push({ id: 'previousGrant', actual: 'had a grant', required: 'never had a grant' });
  if (input.approvedOn < input.appliedOn)
    failed.push({ id: 'approvalOrder', actual: input.approvedOn, required: `approvedOn >= appliedOn (${input.appliedOn})` });
  const gmvUsd = total(input.lookbackTotals, 'gmvCents') / 100;
  if (!(gmvUsd >= input.criteria.minGmvUsd)) failed.push({ id: 'gmvUsd', actual: gmvUsd, required: `>= ${input.criteria.minGmvUsd}` });
  const positive = rawRate(input.lookbackTotals, 'positiveRatings', 'ratings');
  if (!(positive !== null && positive >= input.criteria.minPositiveRatingRate)) {
    failed.push({ id: 'positiveRatingRate', actual: positive, required: `>= ${input.criteria.minPositiveRatingRate}` });
  }
  return failed.length === 0 ? { eligible: true, failed: [] } : { eligible: false, failed };
}

/** expiresOn = approvedOn + 180 days: the first day the grant no longer covers. */
function grantExpiresOn(approvedOn: string, policy: Policy): string {
  return addDays(approvedOn, policy.goodSeller.grantDays);
}

/** The grant's status on date d: active on approvedOn ≤ d < expiresOn unless revoked by then. */
function grantStatusOn(grant: GoodSellerGrant, date: string, policy: Policy): GrantStatus {
  const expiresOn = grantExpiresOn(grant.approvedOn, policy);
  if (grant.revokedOn && grant.revokedOn < expiresOn && grant.revokedOn <= date) return 'revoked';
  if (date >= expiresOn) return 'expired';
  return date >= grant.approvedOn ? 'active' : 'pending';
}

/** The date the grant ended, as of date d (null while it has not). */
function grantEndedOn(grant: GoodSellerGrant, date: string, policy: Policy): string | null {
  const status = grantStatusOn(grant, date, policy);
  if (status === 'revoked') return grant.revokedOn!;
  if (status === 'expired') return grantExpiresOn(grant.approvedOn, policy);
  return null;
}

export { GRANT_STATUSES, goodSellerEligibility, grantOfRecord, goodSellerLookback, grantEndedOn, grantExpiresOn, grantStatusOn };
export type { Eligibility, FailedRule, GoodSellerGrant, GrantStatus };
