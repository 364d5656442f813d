import { describe, expect, it } from 'vitest';
import { approvalViolation, rerunViolation, revocationViolation, scheduledRunDate } from '../../lib/operatorBounds';
import { DEFAULT_POLICY } from '../../lib/policy';

describe('scheduledRunDate', () => {
  it('is the date, the 2nd of the month, or the 10th of the month after the quarter (SPEC §2)', () => {
    expect(scheduledRunDate('daily', '2026-07-16')).toBe('2026-07-16');
    expect(scheduledRunDate('monthly', '2026-07')).toBe('2026-07-02');
    expect(scheduledRunDate('quarterly', '2026-Q4')).toBe('2027-01-10');
    expect(scheduledRunDate('quarterly', '9999-Q4')).toBeNull();
  });
});

describe('rerunViolation', () => {
  const today = '2026-07-02';
  it('lets a period run on or after its scheduled date, and no earlier', () => {
    expect(rerunViolation({ job: 'monthly', period: '2026-07' }, today, DEFAULT_POLICY)).toBeNull();
    expect(rerunViolation({ job: 'daily', period: today }, today, DEFAULT_POLICY)).toBeNull();
    expect(rerunViolation({ job: 'quarterly', period: '2026-Q1' }, today, DEFAULT_POLICY)).toBeNull();
    expect(rerunViolation({ job: 'quarterly', period: '2026-Q2' }, today, DEFAULT_POLICY)?.field).toBe('period');
    expect(rerunViolation({ job: 'daily', period: '2026-07-03' }, today, DEFAULT_POLICY)?.field).toBe('period');
  });

  it('refuses a period that ends before data.earliestDate and an asOf after today', () => {
    expect(rerunViolation({ job: 'monthly', period: '2014-12' }, today, DEFAULT_POLICY)?.message).toMatch(/before data.earliestDate/);
    expect(rerunViolation({ job: 'monthly', period: '2015-01' }, today, DEFAULT_POLICY)).toBeNull();
    expect(rerunViolation({ job: 'monthly', period: '2026-06', asOf: '2026-07-03' }, today, DEFAULT_POLICY)?.field).toBe('asOf');
  });
});

describe('approvalViolation and revocationViolation', () => {
  it('wants earliestDate <= appliedOn <= approvedOn <= today', () => {
    const today = '2026-07-02';
    expect(approvalViolation({ appliedOn: '2026-07-01', approvedOn: '2026-07-02' }, today, DEFAULT_POLICY)).toBeNull();
    expect(approvalViolation({ appliedOn: '2014-12-31', approvedOn: '2026-07-02' }, today, DEFAULT_POLICY)?.field).toBe('appliedOn');
    expect(approvalViolation({ appliedOn: '2026-07-01', approvedOn: '2026-07-03' }, today, DEFAULT_POLICY)?.field).toBe('approvedOn');
    expect(approvalViolation({ appliedOn: '2026-07-02', approvedOn: '2026-07-01' }, today, DEFAULT_POLICY)?.message).toMatch(/before appliedOn/);
  });

  it('wants a revocation inside the grant', () => {
    const grant = { approvedOn: '2026-03-01', expiresOn: '2026-08-28' };
    expect(revocationViolation('2026-03-01', grant)).toBeNull();
    expect(revocationViolation('2026-02-28', grant)?.field).toBe('on');
    expect(revocationViolation('2026-08-28', grant)?.field).toBe('on');
  });
});
