import { describe, expect, it } from 'vitest';
import { carryForward, findingsChanged, openFindings, type HealthCheckInputs } from '../../lib/healthCheck';
import type { Exposure, Registration } from '../../lib/inputs';
import { assessMerchant } from '../../lib/merchantTier';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { assessServiceLevel } from '../../lib/serviceLevel';
import { GOLD, windowTotals } from './fixtures';

const D = '2026-08-01';
const criteria = DEFAULT_POLICY.merchantTier.criteria.default;
/** A healthy seller: gold in force and projected, excellent service, fast shipping, answered messages. */
function inputs(changes: Partial<HealthCheckInputs> = {}): HealthCheckInputs {
  const merchant = windowTotals(GOLD);
  return {
    date: D,
    categoryId: 'c-1',
    parentId: 'p-1',
    inForce: { operationTier: 'mid', serviceLevel: 'excellent', merchantAssessed: 'gold', goodSeller: null },
    projected: {
      operationTier: 'mid',
      merchant: assessMerchant(merchant, criteria, DEFAULT_POLICY),
      serviceLevel: assessServiceLevel(merchant, DEFAULT_POLICY),
    },
    daily: windowTotals({ orders: 100, trackingOnline72h: 95, messagesReceived: 10, messagesAnswered24h: 9 }),
    quarantinedRows: 0,
    exposure: [],
    registrations: [],
    flagsOf: (c) => (c === 'c-toys' ? ['childrens', 'batteries'] : c === 'c-lamps' ? ['electrical'] : []),
    ...changes,
  };
}
const ids = (i: HealthCheckInputs, policy: Policy = DEFAULT_POLICY) => openFindings(i, policy).map((f) => f.id);
const exposure = (categoryId: string, market: string, activeListings: number, asOf = '2026-07-01'): Exposure => ({
  sellerId: 's-1',
  categoryId,
  market,
  activeListings,
  asOf,
});
const registration = (scheme: 'epr' | 'cpc', market: string, scope: string, validFrom: string, validUntil?: string): Registration => ({
  sellerId: 's-1',
  scheme,
  market,
  scope,
  registrationId: `${scheme}-${market}-${scope}`,
  validFrom,
  validUntil: validUntil ?? null,
});

describe('openFindings (SPEC §7.5)', () => {
  it('finds nothing wrong with a healthy seller', () => {
    expect(openFindings(inputs(), DEFAULT_POLICY)).toEqual([]);
  });

  it('flags a projected fail as critical, and a level worse than the one in force as a warning', () => {
    const fail = assessServiceLevel(windowTotals({ closedOrders: 100, badExperienceOrders: 20 }), DEFAULT_POLICY);
    const [finding] = openFindings(inputs({ projected: { ...inputs().projected, serviceLevel: fail } }), DEFAULT_POLICY);
    expect(finding).toMatchObject({ id: 'serviceLevelAtRisk', area: 'service', severity: 'critical', evidence: { projected: 'fail', inForce: 'excellent' } });
    const pass = assessServiceLevel(windowTotals({ closedOrders: 100, badExperienceOrders: 10 }), DEFAULT_POLICY);
    expect(openFindings(inputs({ projected: { ...inputs().projected, serviceLevel: pass } }), DEFAULT_POLICY)[0]).toMatchObject({ severity: 'warning' });
    // both must be assessed: nothing in force, or too few orders projected, is not "worse"
    expect(ids(inputs({ projected: { ...inputs().projected, serviceLevel: pass }, inForce: { ...inputs().inForce, serviceLevel: 'notAssessed' } }))).toEqual(
      [],
    );
    const few = assessServiceLevel(windowTotals({ closedOrders: 10, badExperienceOrders: 10 }), DEFAULT_POLICY);
    expect(ids(inputs({ projected: { ...inputs().projected, serviceLevel: few } }))).toEqual([]);
  });

  it('flags a projected merchant tier below the assessed tier in force, with the unmet criteria of that tier', () => {
    const silverOnly = windowTotals({ ...GOLD, gmvCents: 2_000_000 });
    const merchant = assessMerchant(silverOnly, criteria, DEFAULT_POLICY);
    const [finding] = openFindings(inputs({ projected: { ...inputs().projected, merchant } }), DEFAULT_POLICY);
    expect(finding).toMatchObject({ id: 'merchantTierAtRisk', severity: 'warning', evidence: { projectedTier: 'silver', inForce: 'gold' } });
    expect((finding!.evidence.unmet as { id: string }[]).map((c) => c.id)).toEqual(['gmvUsd']);
  });

  it('warns of a Good Seller grant expiring within 30 days when the projection is ordinary, and not at 31', () => {
    const ordinary = assessMerchant(windowTotals(), criteria, DEFAULT_POLICY);
    const base = inputs({ projected: { ...inputs().projected, merchant: ordinary }, inForce: { ...inputs().inForce, merchantAssessed: 'ordinary' } });
    const at = (expiresOn: string) =>
      openFindings({ ...base, inForce: { ...base.inForce, goodSeller: { status: 'active', expiresOn } } }, DEFAULT_POLICY).filter(
        (f) => f.id === 'goodSellerExpiring',
      );
    expect(at('2026-08-31')).toEqual([expect.objectContaining({ deadline: '2026-08-31', evidence: expect.objectContaining({ daysLeft: 30 }) })]);
    expect(at('2026-09-01')).toEqual([]);
  });

  it('notes a projected operation tier below the one in force', () => {
    expect(openFindings(inputs({ projected: { ...inputs().projected, operationTier: 'basic' } }), DEFAULT_POLICY)[0]).toMatchObject({
      id: 'operationTierAtRisk',
      severity: 'info',
    });
    expect(ids(inputs({ inForce: { ...inputs().inForce, operationTier: null }, projected: { ...inputs().projected, operationTier: 'basic' } }))).toEqual([]);
  });

  it('flags fulfilment below the silver criterion and unanswered messages, but not without orders or messages', () => {
    expect(ids(inputs({ daily: windowTotals({ orders: 100, trackingOnline72h: 84, messagesReceived: 10, messagesAnswered24h: 7 }) }))).toEqual([
      'fulfilmentBelowSilver',
      'messagesUnanswered',
    ]);
    expect(ids(inputs({ daily: windowTotals({ orders: 100, trackingOnline72h: 85, messagesReceived: 10, messagesAnswered24h: 8 }) }))).toEqual([]);
    expect(ids(inputs({ daily: windowTotals() }))).toEqual([]);
  });

  it('requires one registration per scheme, market and scope where the seller has active listings its category flags cover', () => {
    const found = openFindings(
      inputs({
        exposure: [exposure('c-toys', 'DE', 14), exposure('c-toys', 'US', 3), exposure('c-lamps', 'FR', 0), exposure('c-plain', 'JP', 50)],
        registrations: [registration('epr', 'DE', 'packaging', '2026-01-01')],
      }),
      DEFAULT_POLICY,
    );
    expect(found.map((f) => [f.id, f.evidence.scheme, f.evidence.market, f.evidence.scope, f.evidence.activeListings])).toEqual([
      ['complianceMissing', 'epr', 'DE', 'batteries', 14],
      ['complianceMissing', 'cpc', 'US', 'childrens', 3],
    ]);
    expect(found[0]).toMatchObject({ severity: 'critical', action: 'register for EPR batteries in DE and enter the registration number' });
  });

  it('takes the latest exposure row not after D, and a registration valid on D only', () => {
    const rows = [exposure('c-1', 'FR', 5, '2026-06-01'), exposure('c-1', 'FR', 0, '2026-07-15'), exposure('c-1', 'FR', 9, '2026-08-02')];
    expect(ids(inputs({ exposure: rows }))).toEqual([]);
    const stale = [registration('epr', 'FR', 'packaging', '2025-01-01', '2026-07-31')];
    expect(ids(inputs({ exposure: [exposure('c-1', 'FR', 5)], registrations: stale }))).toEqual(['complianceMissing']);
    const future = [registration('epr', 'FR', 'packaging', '2026-08-02')];
    expect(ids(inputs({ exposure: [exposure('c-1', 'FR', 5)], registrations: future }))).toEqual(['complianceMissing']);
  });

  it('warns of a required registration that ends in under 30 days, with its date as the deadline', () => {
    const ending = (validUntil: string) =>
      openFindings(
        inputs({ exposure: [exposure('c-1', 'SE', 5)], registrations: [registration('epr', 'SE', 'packaging', '2025-01-01', validUntil)] }),
        DEFAULT_POLICY,
      );
    expect(ending('2026-08-30')).toEqual([expect.objectContaining({ id: 'complianceExpiring', severity: 'warning', deadline: '2026-08-30' })]);
    expect(ending('2026-08-31')).toEqual([]);
    expect(ending('2026-08-01')[0]?.evidence.daysLeft).toBe(0);
  });

  it('notes quarantined rows of the daily window', () => {
    expect(openFindings(inputs({ quarantinedRows: 2 }), DEFAULT_POLICY)).toEqual([
      expect.objectContaining({
        id: 'dataQuality',
        area: 'data',
        severity: 'info',
        evidence: { quarantinedRows: 2, window: { start: '2026-07-02', end: '2026-07-31' } },
      }),
    ]);
  });

  it('lists findings in the table order, and obeys the policy: a rule switched off or re-tuned', () => {
    const messy = inputs({
      quarantinedRows: 1,
      exposure: [exposure('c-1', 'DE', 5)],
      daily: windowTotals({ orders: 100, trackingOnline72h: 50, messagesReceived: 10, messagesAnswered24h: 1 }),
    });
    expect(ids(messy)).toEqual(['fulfilmentBelowSilver', 'messagesUnanswered', 'complianceMissing', 'dataQuality']);
    const policy = structuredClone(DEFAULT_POLICY);
    policy.healthCheck.rules.messagesUnanswered.enabled = false;
    policy.healthCheck.rules.dataQuality.severity = 'warning';
    policy.healthCheck.compliance = [];
    expect(openFindings(messy, policy).map((f) => [f.id, f.severity])).toEqual([
      ['fulfilmentBelowSilver', 'warning'],
      ['dataQuality', 'warning'],
    ]);
  });
});

describe('carryForward', () => {
  const drafts = openFindings(inputs({ quarantinedRows: 1, exposure: [exposure('c-1', 'DE', 5)] }), DEFAULT_POLICY);

  it('keeps since and the evidence of the day a finding opened while it stays open', () => {
    const first = carryForward([], drafts, '2026-08-01');
    expect(first.map((f) => f.since)).toEqual(['2026-08-01', '2026-08-01']);
    const later = openFindings(inputs({ quarantinedRows: 3, exposure: [exposure('c-1', 'DE', 9)] }), DEFAULT_POLICY);
    const next = carryForward(first, later, '2026-08-02');
    expect(next).toEqual(first);
    expect(findingsChanged(first, next)).toBe(false);
  });

  it('opens new findings on D and changes when the set changes or a severity does', () => {
    const first = carryForward([], drafts, '2026-08-01');
    const more = carryForward(first, [...drafts, ...openFindings(inputs({ exposure: [exposure('c-1', 'FR', 1)] }), DEFAULT_POLICY)], '2026-08-03');
    expect(more.at(-1)).toMatchObject({ since: '2026-08-03', evidence: { market: 'FR' } });
    expect(findingsChanged(first, more)).toBe(true);
    const graver = carryForward(first, [{ ...drafts[0]!, severity: 'warning' }, drafts[1]!], '2026-08-04');
    expect(graver[0]).toMatchObject({ severity: 'warning', since: '2026-08-01' });
    expect(findingsChanged(first, graver)).toBe(true);
    expect(findingsChanged(null, [])).toBe(true);
  });
});
