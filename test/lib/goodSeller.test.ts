import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../lib/calendar';
import { goodSellerEligibility, goodSellerLookback, grantEndedOn, grantExpiresOn, grantStatusOn, type GoodSellerGrant } from '../../lib/goodSeller';
import type { MetricValues } from '../../lib/metrics';
import { DEFAULT_POLICY } from '../../lib/policy';
import { windowTotals } from './fixtures';

const criteria = DEFAULT_POLICY.goodSeller.criteria.default;

/** An application that passes: a store opened in 2025, $3 000 and 90/100 positive over the 30 days before approval. */
function application(
  changes: Partial<{ openedOn: string; appliedOn: string; approvedOn: string; hadGrantBefore: boolean; totals: Partial<MetricValues> }> = {},
) {
  return {
    openedOn: changes.openedOn ?? '2025-06-01',
    appliedOn: changes.appliedOn ?? '2026-02-20',
    approvedOn: changes.approvedOn ?? '2026-03-01',
    hadGrantBefore: changes.hadGrantBefore ?? false,
    lookbackTotals: windowTotals({ gmvCents: 300_000, ratings: 100, positiveRatings: 90, ...changes.totals }),
    criteria,
    policy: DEFAULT_POLICY,
  };
}

const grant: GoodSellerGrant = { sellerId: 's-042', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' };

describe('goodSellerEligibility', () => {
  it('approves a young store that never had a grant and meets $3 000 and 0.90 exactly', () => {
    expect(goodSellerEligibility(application())).toEqual({ eligible: true, failed: [] });
  });

  it('refuses $2 999.99 of GMV and accepts $3 000.00', () => {
    expect(goodSellerEligibility(application({ totals: { gmvCents: 299_999 } }))).toEqual({
      eligible: false,
      failed: [{ id: 'gmvUsd', actual: 2999.99, required: '>= 3000' }],
    });
    expect(goodSellerEligibility(application({ totals: { gmvCents: 300_000 } })).eligible).toBe(true);
  });

  it('refuses 89/100 positive ratings and accepts 90/100', () => {
    expect(goodSellerEligibility(application({ totals: { positiveRatings: 89 } }))).toEqual({
      eligible: false,
      failed: [{ id: 'positiveRatingRate', actual: 0.89, required: '>= 0.9' }],
    });
  });

  it('refuses a seller without ratings: an undefined rate meets no criterion', () => {
    expect(goodSellerEligibility(application({ totals: { ratings: 0, positiveRatings: 0 } }))).toEqual({
      eligible: false,
      failed: [{ id: 'positiveRatingRate', actual: null, required: '>= 0.9' }],
    });
  });

  it('refuses a seller who had a grant before', () => {
    expect(goodSellerEligibility(application({ hadGrantBefore: true }))).toEqual({
      eligible: false,
      failed: [{ id: 'previousGrant', actual: 'had a grant', required: 'never had a grant' }],
    });
  });

  it('accepts a store opened exactly 12 months before the application and refuses one opened a day earlier', () => {
    expect(goodSellerEligibility(application({ appliedOn: '2026-03-15', approvedOn: '2026-03-20', openedOn: '2025-03-15' })).eligible).toBe(true);
    expect(goodSellerEligibility(application({ appliedOn: '2026-03-15', approvedOn: '2026-03-20', openedOn: '2025-03-14' }))).toEqual({
      eligible: false,
      failed: [{ id: 'storeAge', actual: '2025-03-14', required: 'openedOn >= 2025-03-15' }],
    });
  });

  it('clamps the store-age limit to the end of a shorter month: applied 2024-02-29, limit 2023-02-28', () => {
    const on = (openedOn: string) => goodSellerEligibility(application({ appliedOn: '2024-02-29', approvedOn: '2024-03-05', openedOn }));
    expect(on('2023-02-28').eligible).toBe(true);
    expect(on('2023-02-27')).toEqual({ eligible: false, failed: [{ id: 'storeAge', actual: '2023-02-27', required: 'openedOn >= 2023-02-28' }] });
  });

  it('lists every failed reason at once', () => {
    const verdict = goodSellerEligibility(
      application({
        openedOn: '2024-01-01',
        appliedOn: '2026-02-20',
        approvedOn: '2026-02-19',
        hadGrantBefore: true,
        totals: { gmvCents: 0, ratings: 0, positiveRatings: 0 },
      }),
    );
    expect(verdict).toEqual({
      eligible: false,
      failed: [
        { id: 'storeAge', actual: '2024-01-01', required: 'openedOn >= 2025-02-20' },
        { id: 'previousGrant', actual: 'had a grant', required: 'never had a grant' },
        { id: 'approvalOrder', actual: '2026-02-19', required: 'approvedOn >= appliedOn (2026-02-20)' },
        { id: 'gmvUsd', actual: 0, required: '>= 3000' },
        { id: 'positiveRatingRate', actual: null, required: '>= 0.9' },
      ],
    });
  });
});

describe('goodSellerLookback', () => {
  it('checks the 30 days before approvedOn, not including it', () => {
    // approvedOn 2026-03-01 → 2026-01-30..2026-02-28 (28 February days + 30 and 31 January).
    expect(goodSellerLookback('2026-03-01', DEFAULT_POLICY)).toEqual({ start: '2026-01-30', end: '2026-02-28' });
  });
});

describe('grant status', () => {
  it('expires 180 days after approval: approved 2026-03-01, expires 2026-08-28', () => {
    // March 31 + April 30 + May 31 + June 30 + July 31 = 153; + 27 = 180 → August 28.
    expect(grantExpiresOn('2026-03-01', DEFAULT_POLICY)).toBe('2026-08-28');
  });

  it('is active on approvedOn + 179 and expired on approvedOn + 180', () => {
    expect(grantStatusOn(grant, addDays('2026-03-01', 179), DEFAULT_POLICY)).toBe('active');
    expect(grantStatusOn(grant, '2026-08-27', DEFAULT_POLICY)).toBe('active');
    expect(grantStatusOn(grant, addDays('2026-03-01', 180), DEFAULT_POLICY)).toBe('expired');
    expect(grantEndedOn(grant, '2026-08-28', DEFAULT_POLICY)).toBe('2026-08-28');
    expect(grantEndedOn(grant, '2026-08-27', DEFAULT_POLICY)).toBeNull();
  });

  it('is pending the day before approval and active on the approval date', () => {
    expect(grantStatusOn(grant, '2026-02-28', DEFAULT_POLICY)).toBe('pending');
    expect(grantStatusOn(grant, '2026-03-01', DEFAULT_POLICY)).toBe('active');
  });

  it('is revoked from the revocation date on, and active the day before', () => {
    const revoked = { ...grant, revokedOn: '2026-05-01', revokedBy: 'ops-wu' };
    expect(grantStatusOn(revoked, '2026-04-30', DEFAULT_POLICY)).toBe('active');
    expect(grantStatusOn(revoked, '2026-05-01', DEFAULT_POLICY)).toBe('revoked');
    expect(grantStatusOn(revoked, '2026-12-31', DEFAULT_POLICY)).toBe('revoked');
    expect(grantEndedOn(revoked, '2026-05-01', DEFAULT_POLICY)).toBe('2026-05-01');
  });

  it('stays expired when a revocation comes after expiry', () => {
    const late = { ...grant, revokedOn: '2026-09-01' };
    expect(grantStatusOn(late, '2026-09-05', DEFAULT_POLICY)).toBe('expired');
    expect(grantEndedOn(late, '2026-09-05', DEFAULT_POLICY)).toBe('2026-08-28');
  });

  it('is active on exactly 180 dates (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (day) => {
        const approvedOn = new Date(day * 86_400_000).toISOString().slice(0, 10);
        const g = { ...grant, approvedOn, appliedOn: approvedOn };
        let active = 0;
        for (let d = -2; d < 185; d++) if (grantStatusOn(g, addDays(approvedOn, d), DEFAULT_POLICY) === 'active') active++;
        return active === 180;
      }),
      { numRuns: 100 },
    );
  });
});
