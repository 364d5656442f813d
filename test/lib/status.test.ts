import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import {
  followsDayBefore,
  goodSellerStateOn,
  gradesInForce,
  refreshesPartially,
  statusIsStale,
  statusMayChangeOn,
  statusesTurnOn,
  statusOn,
  writesCurrentRecords,
  type GradesInForce,
} from '../../lib/status';

// Only the fields gradesInForce reads; the rest of each record does not matter here.
const base = { sellerId: 's-1', categoryId: 'c-11', policyVersion: '2026.1', runId: 'r' };
const opTier = (period: string, tier: 'top' | 'mid') => ({ kind: 'operationTier', ...base, period, tier }) as unknown as GradeRecord;
const assessment = (quarter: string, effectiveFrom: string, assessedTier: 'gold' | 'silver') =>
  ({ kind: 'merchantAssessment', ...base, quarter, effectiveFrom, assessedTier }) as unknown as GradeRecord;

describe('gradesInForce', () => {
  const records = [
    opTier('2026-06', 'mid'),
    opTier('2026-08', 'top'),
    opTier('2026-07', 'top'),
    assessment('2026-Q2', '2026-07-15', 'gold'),
    assessment('2026-Q1', '2026-04-15', 'silver'),
  ];

  it("takes the operation tier of the latest month up to the date's month", () => {
    expect(gradesInForce(records, '2026-07-16').operationTier).toEqual({ tier: 'top', period: '2026-07' });
    expect(gradesInForce(records, '2026-06-30').operationTier).toEqual({ tier: 'mid', period: '2026-06' });
  });

  it('keeps the Q1 assessment through 2026-07-14 and switches to Q2 on 2026-07-15', () => {
    expect(gradesInForce(records, '2026-07-14').assessment).toEqual({ assessedTier: 'silver', quarter: '2026-Q1' });
    expect(gradesInForce(records, '2026-07-15').assessment).toEqual({ assessedTier: 'gold', quarter: '2026-Q2' });
  });

  it('finds nothing in force before the first assessment takes effect', () => {
    expect(gradesInForce(records, '2026-04-14').assessment).toBeNull();
  });
});

describe('statusOn', () => {
  const nothing: GradesInForce = { operationTier: null, serviceLevel: null, assessment: null };
  const status = (changes: Partial<Parameters<typeof statusOn>[0]>) =>
    statusOn({
      sellerId: 's-1',
      categoryId: 'c-11',
      date: '2026-07-16',
      programs: {},
      inForce: nothing,
      goodSeller: null,
      policy: DEFAULT_POLICY,
      runId: 'r',
      ...changes,
    });

  it('makes a seller ordinary and basic before any grade is in force', () => {
    expect(status({})).toMatchObject({ merchantTier: { effective: 'ordinary', assessed: 'ordinary', source: 'assessment', quarter: null }, frontBadge: null });
    expect(status({}).benefits).toEqual(DEFAULT_POLICY.tiers.benefits.basic);
  });

  it('shows plus and MALL benefits for a MALL store, without changing its merchant tier', () => {
    const s = status({ programs: { mall: { since: '2026-01-01' } } });
    expect(s).toMatchObject({ mall: true, frontBadge: 'plus', merchantTier: { effective: 'ordinary' } });
    expect(s.benefits).toEqual([...DEFAULT_POLICY.tiers.benefits.basic, ...DEFAULT_POLICY.mallBenefits]);
  });

  it('raises an ordinary seller to silver under an active grant, but not under an expired one', () => {
    expect(status({ goodSeller: { status: 'active', expiresOn: '2026-08-28' } })).toMatchObject({
      merchantTier: { effective: 'silver', source: 'goodSeller' },
      frontBadge: 'silver',
    });
    expect(status({ goodSeller: { status: 'expired', expiresOn: '2026-07-16' } })).toMatchObject({ merchantTier: { effective: 'ordinary' }, frontBadge: null });
  });

  it('prefers a JBP label to the gold tier, and lists the gold benefits', () => {
    const s = status({
      programs: { jbp: { since: '2026-01-01', until: '2026-12-31' } },
      inForce: { ...nothing, assessment: { assessedTier: 'gold', quarter: '2026-Q2' } },
    });
    expect(s).toMatchObject({ jbp: true, frontBadge: 'jbp', merchantTier: { effective: 'gold', quarter: '2026-Q2' } });
    expect(s.benefits).toContain(DEFAULT_POLICY.merchantTier.benefits.gold[0]);
  });

  it('shows a program that ended the day before as inactive', () => {
    expect(status({ programs: { styled: { since: '2026-01-01', until: '2026-07-15' } } })).toMatchObject({ styled: false, frontBadge: null });
  });
});

describe('which statuses a date can change', () => {
  const grant = { sellerId: 's-1', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops' };

  it("changes every status when a month begins or a quarter's merchant tier takes effect, and on no other day", () => {
    expect(['2026-07-01', '2026-07-15', '2026-10-15', '2027-01-01'].map((d) => statusesTurnOn(d, DEFAULT_POLICY))).toEqual([true, true, true, true]);
    expect(['2026-07-02', '2026-07-14', '2026-07-16', '2026-08-15', '2026-12-31'].map((d) => statusesTurnOn(d, DEFAULT_POLICY))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('changes one status on the first and the day after the last day of a program', () => {
    const programs = { mall: { since: '2026-07-10', until: '2026-07-20' } };
    expect(
      ['2026-07-09', '2026-07-10', '2026-07-11', '2026-07-20', '2026-07-21', '2026-07-22'].map((d) => statusMayChangeOn(d, programs, null, DEFAULT_POLICY)),
    ).toEqual([false, true, false, false, true, false]);
  });

  it('changes one status when its grant is approved and on its expiry date (approvedOn + 180 days)', () => {
    expect(
      ['2026-02-28', '2026-03-01', '2026-03-02', '2026-08-27', '2026-08-28', '2026-08-29'].map((d) => statusMayChangeOn(d, {}, grant, DEFAULT_POLICY)),
    ).toEqual([false, true, false, false, true, false]);
  });
});

describe('goodSellerStateOn', () => {
  const grant = { sellerId: 's-1', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' };

  it('knows nothing of a grant approved after the status date, and shows it active from its approval (SPEC §8.1)', () => {
    expect(goodSellerStateOn(grant, '2026-02-28', DEFAULT_POLICY)).toBeNull();
    expect(goodSellerStateOn(grant, '2026-03-01', DEFAULT_POLICY)).toEqual({ status: 'active', expiresOn: '2026-08-28' });
  });
});

describe('the rules that decide what a run rewrites', () => {
  const stored = (asOf: string, status: 'active' | 'expired' | null = null) => ({ asOf, goodSeller: status ? { status } : null });

  it('reuses a status of the same month and quarter, and rebuilds one from an earlier month, another quarter in force, or none', () => {
    expect(statusIsStale(stored('2026-07-15'), '2026-07-16', false, DEFAULT_POLICY)).toBe(false);
    expect(statusIsStale(stored('2026-06-30'), '2026-07-01', false, DEFAULT_POLICY)).toBe(true);
    expect(statusIsStale(stored('2026-07-14'), '2026-07-15', false, DEFAULT_POLICY)).toBe(true); // Q2's tier takes effect on the 15th
    expect(statusIsStale(undefined, '2026-07-16', false, DEFAULT_POLICY)).toBe(true);
  });

  it('rebuilds a status that shows a live grant no longer live, and keeps one whose grant still is', () => {
    expect(statusIsStale(stored('2026-07-15', 'active'), '2026-07-16', false, DEFAULT_POLICY)).toBe(true);
    expect(statusIsStale(stored('2026-07-15', 'active'), '2026-07-16', true, DEFAULT_POLICY)).toBe(false);
    expect(statusIsStale(stored('2026-07-15', 'expired'), '2026-07-16', false, DEFAULT_POLICY)).toBe(false);
  });

  it('lets a daily re-run of a past date rewrite its daily scores only', () => {
    expect(writesCurrentRecords('daily', '2026-07-16', '2026-07-16')).toBe(true);
    expect(writesCurrentRecords('daily', '2026-07-15', '2026-07-16')).toBe(false);
    expect(writesCurrentRecords('monthly', '2026-06', '2026-07-16')).toBe(true);
  });

  it('refreshes only some statuses after a successful scheduled day with the same inputs, and every status otherwise', () => {
    const run = { trigger: 'schedule' as const, period: '2026-07-16', asOf: '2026-07-16', policyVersion: DEFAULT_POLICY.version, referenceRevision: 4 };
    const dayBefore = { ...run, period: '2026-07-15', asOf: '2026-07-15', status: 'succeeded', dryRun: false };
    expect(refreshesPartially(run, dayBefore, DEFAULT_POLICY)).toBe(true);
    expect(refreshesPartially(run, { ...dayBefore, referenceRevision: 3 }, DEFAULT_POLICY)).toBe(false); // an import since
    expect(refreshesPartially(run, { ...dayBefore, status: 'failed' }, DEFAULT_POLICY)).toBe(false);
    expect(refreshesPartially(run, { ...dayBefore, dryRun: true }, DEFAULT_POLICY)).toBe(false);
    expect(refreshesPartially(run, null, DEFAULT_POLICY)).toBe(false);
    expect(refreshesPartially({ ...run, trigger: 'operator' }, dayBefore, DEFAULT_POLICY)).toBe(false);
    expect(refreshesPartially({ ...run, period: '2026-08-01', asOf: '2026-08-01' }, { ...dayBefore, period: '2026-07-31' }, DEFAULT_POLICY)).toBe(false); // a month turns
    expect(followsDayBefore({ ...run, period: '2026-07-15', asOf: '2026-07-15' }, DEFAULT_POLICY)).toBe(false); // a quarter's tier takes effect
  });
});
