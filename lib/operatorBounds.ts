import { addMonths, firstMonthOfQuarter, monthWindow, quarterWindow, type Job } from './calendar';
import type { Policy } from './policy';

/** A rule an operator request breaks, with the field that breaks it (SPEC §8.3). */
interface BoundsViolation {
  field: string;
  message: string;
}

/** The largest year a period may name: later ones have no four-digit scheduled date. */
const LAST_YEAR = 9998;

/**
 * The business date on which a period's scheduled run fires (SPEC §2): the date itself for the
 * daily job, the 2nd of the month, the 10th of the month after the quarter.
 */
function scheduledRunDate(job: Job, period: string): string | null {
  if (Number(period.slice(0, 4)) > LAST_YEAR) return null;
  switch (job) {
    case 'daily':
    case 'growth':
      return period;
    case 'monthly':
      return `${period}-02`;
    case 'quarterly':
      return `${addMonths(firstMonthOfQuarter(period), 3)}-10`;
  }
}

/** The last date a period evaluates, for the `data.earliestDate` bound. */
function periodEnd(job: Job, period: string): string {
  return job === 'daily' || job === 'growth' ? period : job === 'monthly' ? monthWindow(period).end : quarterWindow(period).end;
}

/**
 * A re-run's period must be due by the current business date and not lie before the data begins;
 * its `asOf` may not be later than today (SPEC §8.3). The period's shape is checked before.
 */
function rerunViolation(r: { job: Job; period: string; asOf?: string | undefined }, today: string, policy: Policy): BoundsViolation | null {
  const runsOn = scheduledRunDate(r.job, r.period);
  if (runsOn === null || runsOn > today) {
    return { field: 'period', message: `${r.job} ${r.period} is not due: its scheduled run is on ${runsOn ?? 'a date past 9999'}, after today (${today})` };
  }
  const earliest = policy.data.earliestDate;
  if (periodEnd(r.job, r.period) < earliest) return { field: 'period', message: `${r.job} ${r.period} lies before data.earliestDate (${earliest})` };
  return dateViolation('asOf', r.asOf, today, policy);
}

/** An approval is in order and in the past: `earliestDate <= appliedOn <= approvedOn <= today` (SPEC §8.3). */
function approvalViolation(r: { appliedOn: string; approvedOn: string }, today: string, policy: Policy): BoundsViolation | null {
  return (
    dateViolation('appliedOn', r.appliedOn, today, policy) ??
    dateViolation('approvedOn', r.approvedOn, today, policy) ??
    (r.approvedOn < r.appliedOn ? { field: 'approvedOn', message: `must not be before appliedOn (${r.appliedOn})` } : null)
  );
}

/** A revocation lies within the grant (SPEC §8.3); that it is not after today is a `dateViolation`. */
function revocationViolation(on: string, grant: { approvedOn: string; expiresOn: string }): BoundsViolation | null {
  if (on < grant.approvedOn || on >= grant.expiresOn)
    return { field: 'on', message: `must fall within the grant, from ${grant.approvedOn} to before ${grant.expiresOn}` };
  return null;
}

/** A date an operator gives lies between `data.earliestDate` and today. */
function dateViolation(field: string, date: string | undefined, today: string, policy: Policy): BoundsViolation | null {
  if (date === undefined) return null;
  if (date > today) return { field, message: `must not be after today (${today}), got ${date}` };
  if (date < policy.data.earliestDate) return { field, message: `must not be before data.earliestDate (${policy.data.earliestDate}), got ${date}` };
  return null;
}

export { approvalViolation, dateViolation, periodEnd, revocationViolation, rerunViolation, scheduledRunDate };
export type { BoundsViolation };
