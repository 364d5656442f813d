import { describe, expect, it } from 'vitest';
import { matrixOf } from '../../lib/grading';
import { grantRecord, jobWindows, quarterlyRecords, type JobSeller } from '../../lib/jobs';
import { F, FIELD_COUNT } from '../../lib/metrics';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { scoreLines } from '../helpers/offlineJob';
import { metricRow, policyWith } from './fixtures';
import { validateRecord } from '../../lib/records';

describe('jobWindows', () => {
  it('gives the daily job of 2026-07-02 its scoring, previous and merchant windows', () => {
    expect(jobWindows('daily', '2026-07-02', DEFAULT_POLICY)).toEqual({
      scoring: { start: '2026-06-02', end: '2026-07-01' },
      previous: { start: '2026-05-03', end: '2026-06-01' },
      merchant: { start: '2026-04-03', end: '2026-07-01' },
    });
  });

  it('gives the monthly job of 2026-07 June, the 30 days before, and the 90-day service window', () => {
    expect(jobWindows('monthly', '2026-07', DEFAULT_POLICY)).toEqual({
      scoring: { start: '2026-06-01', end: '2026-06-30' },
      previous: { start: '2026-05-02', end: '2026-05-31' },
      service: { start: '2026-04-02', end: '2026-06-30' },
    });
  });

  it('gives the quarterly job of 2026-Q2 only its assessment window', () => {
    expect(jobWindows('quarterly', '2026-Q2', DEFAULT_POLICY)).toEqual({ assessment: { start: '2026-04-02', end: '2026-06-30' } });
  });
});

describe('quarterlyRecords', () => {
  const sellers: JobSeller[] = [
    { sellerId: 's-1', categoryId: 'c-11', parentId: 'p-1' },
    { sellerId: 's-2', categoryId: 'c-12', parentId: 'p-1' },
  ];

  it("uses the criteria of the seller's parent category when its own category has none", () => {
    // p-1 needs only $10 of GMV for silver; everything else is met by s-1 and s-2 alike.
    const policy = structuredClone(DEFAULT_POLICY);
    const base = policy.merchantTier.criteria.default;
    policy.merchantTier.criteria.byCategory = { 'p-1': { gold: base.gold, silver: { ...base.silver, minGmvUsd: 10 } }, 'c-12': base };
    const assessment = matrixOf(2);
    for (let s = 0; s < 2; s++) {
      const o = s * FIELD_COUNT;
      Object.entries({
        gmvCents: 1_000,
        activeListings: 10,
        inStockListings: 10,
        orders: 100,
        trackingOnline72h: 100,
        campaignOrders: 10,
        ratings: 100,
        positiveRatings: 100,
        closedOrders: 100,
      }).forEach(([f, v]) => (assessment.sums[o + F[f as keyof typeof F]] = v));
    }
    const records = [...quarterlyRecords({ sellers, policy, runId: 'r' }, '2026-Q2', { assessment })].map(validateRecord);
    expect(records.map((r) => [r.sellerId, r.assessedTier])).toEqual([
      ['s-1', 'silver'],
      ['s-2', 'ordinary'],
    ]);
  });

  it('writes only the wanted sellers', () => {
    const records = [...quarterlyRecords({ sellers, policy: DEFAULT_POLICY, runId: 'r', wanted: (s) => s === 1 }, '2026-Q2', { assessment: matrixOf(2) })];
    expect(records.map((r) => r.sellerId)).toEqual(['s-2']);
  });
});

describe('grantRecord', () => {
  const grant = { sellerId: 's-1', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' };

  it('shows an active grant with its expiry and no end', () => {
    expect(validateRecord(grantRecord(grant, 'c-11', '2026-05-01', DEFAULT_POLICY, 'r'))).toMatchObject({
      kind: 'goodSellerGrant',
      status: 'active',
      expiresOn: '2026-08-28',
      endedOn: null,
      revokedBy: null,
      note: null,
    });
  });

  it('shows a revoked grant with the revocation date and who revoked it', () => {
    const revoked = { ...grant, revokedOn: '2026-05-01', revokedBy: 'ops-wu' };
    expect(grantRecord(revoked, 'c-11', '2026-05-01', DEFAULT_POLICY, 'r')).toMatchObject({ status: 'revoked', endedOn: '2026-05-01', revokedBy: 'ops-wu' });
    // The day before, the revocation is not yet in effect.
    expect(grantRecord(revoked, 'c-11', '2026-04-30', DEFAULT_POLICY, 'r')).toMatchObject({ status: 'active', endedOn: null, revokedBy: null });
  });
});

describe('the volume-adaptive service-level window (SPEC §7.1)', () => {
  const categories = [{ categoryId: 'c-1', parentId: 'p-1', name: 'one' }];
  const sellers = ['s-few', 's-none', 's-busy'].map((sellerId) => ({ sellerId, categoryId: 'c-1', storeType: 'brand', openedOn: '2025-01-01' }));
  // s-few: 40 closed in the 90 days, 100 more in the months before; s-none: 40 over the whole year; s-busy: 120 in 90 days
  const rows = [
    metricRow('s-few', '2026-05-10', { orders: 40, closedOrders: 40, badExperienceOrders: 1 }),
    metricRow('s-few', '2025-12-01', { orders: 100, closedOrders: 100, badExperienceOrders: 9 }),
    metricRow('s-none', '2025-09-01', { orders: 40, closedOrders: 40 }),
    metricRow('s-busy', '2026-06-01', { orders: 120, closedOrders: 120, badExperienceOrders: 2 }),
  ];
  const levels = async (policy: Policy) => {
    const { records } = await scoreLines('monthly', '2026-07', { categories, sellers, metrics: rows }, { policy });
    return new Map(
      records.flatMap((r) => (r.kind === 'serviceLevel' ? [[r.sellerId, { level: r.level, window: r.window, closed: r.closedOrders }] as const] : [])),
    );
  };

  it('is off by default: a seller under the minimum is not assessed', async () => {
    expect((await levels(DEFAULT_POLICY)).get('s-few')).toMatchObject({ level: 'notAssessed', closed: 40, window: { start: '2026-04-02', end: '2026-06-30' } });
  });

  it('assesses a seller under the minimum over the extended window when that reaches it, and names the window', async () => {
    const policy = policyWith({ serviceLevel: { ...DEFAULT_POLICY.serviceLevel, extendedWindowDays: 365 } });
    const got = await levels(policy);
    expect(got.get('s-few')).toEqual({ level: 'pass', closed: 140, window: { start: '2025-07-01', end: '2026-06-30' } });
    expect(got.get('s-none')).toMatchObject({ level: 'notAssessed', closed: 0, window: { start: '2026-04-02', end: '2026-06-30' } });
    expect(got.get('s-busy')).toMatchObject({ closed: 120, window: { start: '2026-04-02', end: '2026-06-30' } });
  });
});
