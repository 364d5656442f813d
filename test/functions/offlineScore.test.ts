import { describe, expect, it } from 'vitest';
import { importData } from '../../functions/jobs/importData';
import { runJob } from '../../functions/jobs/runJob';
import { datesOf } from '../../lib/calendar';
import { FIELD_COUNT, METRIC_FIELDS, type MetricValues } from '../../lib/metrics';
import { operationTierOf, tierThresholds } from '../../lib/operationTier';
import type { Policy } from '../../lib/policy';
import { validateRecord, type GradeRecord, type OperationTierRecord, type ServiceLevelRecord } from '../../lib/records';
import { scorePool } from '../../lib/scores';
import { totalsOf } from '../../lib/totals';
import { GOLD, metricRow, metrics, policyWith } from '../lib/fixtures';
import { memoryStore } from '../helpers/localStore';
import { scoreLines } from '../helpers/offlineJob';

const categories = [
  { categoryId: 'c-11', parentId: 'p-1', name: 'Phones' },
  { categoryId: 'c-12', parentId: 'p-1', name: 'Phone cases' },
];
const profile = (sellerId: string, categoryId: string) => ({ sellerId, categoryId, storeType: 'brand', openedOn: '2024-05-01' });

/**
 * Seller s-i's every day of February 2026 (i = 1..5): orders, visitors and every denominator are equal
 * for all, and every numerator improves with i (lower-is-better ones fall), so s-5 dominates s-4 … s-1.
 */
function dailyOf(i: number): Partial<MetricValues> {
  return {
    orders: 20,
    gmvCents: 100_000 * i,
    visitors: 200,
    productViews: 400 + 100 * i,
    activeListings: 50,
    listingsWithSales: 10 + 5 * i,
    inStockListings: 40 + 2 * i,
    campaignOrders: i,
    marketsWithOrders: i,
    trackingOnline72h: 14 + i,
    deliveredOrders: 20,
    deliveryDaysSum: 200 - 10 * i,
    unshippedPaidOrders: 5 - i,
    messagesReceived: 10,
    messagesAnswered24h: 5 + i,
    disputesOpened: 5 - i,
    repeatBuyerOrders: 2 * i,
    newFollowers: i,
    closedOrders: 20,
    badExperienceOrders: 5 - i,
    sellerResponsibleArbitrations: 0,
    ratings: 20,
    positiveRatings: 14 + i,
    dsrDescriptionSum: 60 + 5 * i,
    dsrDescriptionCount: 20,
    dsrCommunicationSum: 60 + 5 * i,
    dsrCommunicationCount: 20,
    dsrShippingSum: 60 + 5 * i,
    dsrShippingCount: 20,
  };
}

const FEBRUARY = datesOf({ start: '2026-02-01', end: '2026-02-28' });

const reference = {
  categories,
  sellers: [
    ...[1, 2, 3, 4, 5].map((i) => profile(`s-${i}`, 'c-11')),
    profile('s-6', 'c-12'), // no rows at all: inactive
    profile('s-7', 'c-99'), // unknown category: quarantined reference row
    { ...profile('s 8', 'c-11') }, // bad sellerId: quarantined reference row
  ],
};

function metricRows(): unknown[] {
  return [
    ...[1, 2, 3, 4, 5].flatMap((i) => FEBRUARY.map((d) => metricRow(`s-${i}`, d, dailyOf(i)))),
    // First day of the service window (2025-12-01..2026-02-28): 280 clean closed orders for s-2.
    metricRow('s-2', '2025-12-01', { closedOrders: 280 }),
    // The day before the service window: invalid, but not this job's, so neither used nor quarantined.
    { ...metricRow('s-1', '2025-11-30'), positiveRatings: 5 },
    // After the windows: ignored.
    metricRow('s-1', '2026-03-01', { orders: 1_000, visitors: 1_000 }),
    // A repeat of s-3's 2026-02-10 (the first one stands) and a row of an unknown seller.
    metricRow('s-3', '2026-02-10', { orders: 999, visitors: 999 }),
    metricRow('s-99', '2026-02-10', { orders: 1 }),
  ];
}

// minSize 5: the five active sellers of c-11 form their own category pool.
const policy: Policy = policyWith({ pool: { minSize: 5 } });

async function runMonthly(p: Policy = policy) {
  const scored = await scoreLines('monthly', '2026-03', { ...reference, metrics: metricRows() }, { policy: p });
  return { ...scored, records: scored.records.map(validateRecord) };
}

/** An operator's re-run of March for some sellers and categories (SPEC §8.3), on a store that holds the data: the records it writes. */
async function rerunMonthly(filter: { sellers?: string[]; categories?: string[] }) {
  const { store } = memoryStore();
  const now = '2026-03-02T12:00:00Z';
  await importData(store, { ...reference, metrics: metricRows() }, { policy, importId: 'import', now });
  const request = { job: 'monthly', period: '2026-03', trigger: 'operator', requestedBy: 'ops-test', reason: 'some sellers', asOf: '2026-03-02' } as const;
  const { changed } = await runJob({ ...request, ...filter, runId: 'rerun' }, { store, policy, now: () => now });
  return changed.filter((r): r is GradeRecord => r.kind === 'operationTier' || r.kind === 'serviceLevel').map((r) => ({ ...validateRecord(r), runId: '' }));
}

const operationTiers = (records: GradeRecord[]) =>
  new Map(records.filter((r): r is OperationTierRecord => r.kind === 'operationTier').map((r) => [r.sellerId, r]));
const serviceLevels = (records: GradeRecord[]) =>
  new Map(records.filter((r): r is ServiceLevelRecord => r.kind === 'serviceLevel').map((r) => [r.sellerId, r]));

describe('grader score: monthly, end to end', async () => {
  const { quarantine, records } = await runMonthly();
  const tiers = operationTiers(records);
  const levels = serviceLevels(records);
  const quarantinedFrom = (source: string) =>
    quarantine.filter((q) => q.source === source).sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1));

  it('quarantines the reference rows of an unknown category and of a malformed sellerId', () => {
    expect(new Set(records.map((r) => r.sellerId))).toEqual(new Set(['s-1', 's-2', 's-3', 's-4', 's-5', 's-6']));
    expect(quarantinedFrom('sellers').map((q) => [q.key.sellerId, q.reason])).toEqual([
      ['s 8', expect.stringContaining('sellerId')],
      ['s-7', 'seller s-7: categoryId c-99 is not a known category'],
    ]);
  });

  it("quarantines the repeated row, the unknown seller's row and the invalid row before the windows: an import judges every row", () => {
    expect(quarantinedFrom('metrics').map((q) => q.key)).toEqual([
      { sellerId: 's-1', date: '2025-11-30' },
      { sellerId: 's-3', date: '2026-02-10' },
      { sellerId: 's-99', date: '2026-02-10' },
    ]);
  });

  it('writes one operation tier and one service level per seller, for period 2026-03', () => {
    expect(records).toHaveLength(12);
    expect([...tiers.keys()].sort()).toEqual(['s-1', 's-2', 's-3', 's-4', 's-5', 's-6']);
    for (const r of records) expect(r).toMatchObject({ period: '2026-03', policyVersion: '2026.1' });
    expect(tiers.get('s-1')?.window).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(levels.get('s-1')?.window).toEqual({ start: '2025-12-01', end: '2026-02-28' });
  });

  it('scores the five active sellers in their category pool and leaves the silent seller inactive', () => {
    for (const i of [1, 2, 3, 4, 5]) expect(tiers.get(`s-${i}`)?.poolId).toBe('cat:c-11');
    expect(tiers.get('s-6')).toMatchObject({
      tier: 'basic',
      reason: 'inactive',
      poolId: null,
      composite: null,
      abilities: null,
      indicators: null,
      thresholds: null,
      nextTier: null,
    });
  });

  it('ranks the dominating sellers in order: composites strictly increase from s-1 to s-5', () => {
    const composites = [1, 2, 3, 4, 5].map((i) => tiers.get(`s-${i}`)!.composite!);
    for (let k = 1; k < 5; k++) expect(composites[k]!).toBeGreaterThan(composites[k - 1]!);
  });

  it('gives five ranked sellers top, mid, mid, basic, basic', () => {
    // n = 5: T_top = c4 + 0.8·(c5 − c4) and T_hp = c4 + 0.2·(c5 − c4) lie above c4; T_mid = c3 exactly.
    // So s-5 is top, s-4 and s-3 (at T_mid, a tie goes up) are mid, s-2 and s-1 are basic.
    expect([5, 4, 3, 2, 1].map((i) => tiers.get(`s-${i}`)!.tier)).toEqual(['top', 'mid', 'mid', 'basic', 'basic']);
    expect(tiers.get('s-3')!.composite).toBe(tiers.get('s-3')!.thresholds!.mid);
  });

  it('matches the composites of the hand-summed February totals scored by the §5 formulas', () => {
    // 28 identical days: every sum is 28 × the daily value; nothing in the 28 days before, so Gp = 0.
    const sums = new Float64Array(5 * FIELD_COUNT);
    [1, 2, 3, 4, 5].forEach((i, k) => {
      const day = metrics(dailyOf(i));
      const total = Object.fromEntries(METRIC_FIELDS.map((f) => [f, 28 * day[f]])) as MetricValues;
      sums.set(totalsOf(total), k * FIELD_COUNT);
    });
    const scores = scorePool({ size: 5, sums, previousGmvCents: new Float64Array(5), windowDays: 28 }, policy);
    const thresholds = tierThresholds(scores.composite, policy);
    [1, 2, 3, 4, 5].forEach((i, k) => {
      const r = tiers.get(`s-${i}`)!;
      expect(r.composite).toBeCloseTo(scores.composite[k]!, 9);
      expect(r.thresholds).toEqual(thresholds);
      expect(r.tier).toBe(operationTierOf(scores.composite[k]!, thresholds));
    });
  });

  it('reports raw indicators from the window sums: s-5 sold through 35/50 and grew gmv from nothing', () => {
    const s5 = tiers.get('s-5')!.indicators!;
    expect(s5.sellThroughRate.raw).toBeCloseTo(35 / 50, 12);
    // G = 28 × 500 000 = 14 000 000 cents; Gp = 0 → (G − 0) / 10 000 = 1400.
    expect(s5.gmvGrowth.raw).toBe(1400);
    expect(s5.conversionRate.raw).toBeCloseTo(0.1, 12);
    expect(s5.conversionRate.value).toBe(50); // equal for everyone: uninformative
  });

  it('gives the non-top sellers the gap to the next tier and the top seller none', () => {
    expect(tiers.get('s-5')!.nextTier).toBeNull();
    const s4 = tiers.get('s-4')!;
    expect(s4.nextTier).toMatchObject({ tier: 'highPotential', scoreGap: s4.thresholds!.highPotential - s4.composite! });
    expect(s4.nextTier!.focus).toHaveLength(2);
    expect(s4.benefits).toEqual({ current: policy.tiers.benefits.mid, next: policy.tiers.benefits.highPotential });
  });

  it('assesses the service levels by hand: s-5 good, s-4 pass, s-3 pass, s-2 pass, s-1 fail, s-6 not assessed', () => {
    // Over 560 February closed orders: bad (5 − i)·28/560 and positive (14 + i)/20.
    // s-5: bad 0, pos 0.95 → good.  s-4: bad 0.05, pos 0.90 → pass.  s-3: bad 0.10 → pass.  s-1: bad 0.20 → fail.
    // s-2: bad 84/560 = 0.15 would fail, but the 280 clean orders of 2025-12-01 make it 84/840 = 0.10 → pass.
    expect(['s-5', 's-4', 's-3', 's-2', 's-1', 's-6'].map((s) => levels.get(s)!.level)).toEqual(['good', 'pass', 'pass', 'pass', 'fail', 'notAssessed']);
    expect(levels.get('s-2')).toMatchObject({ closedOrders: 840, badExperienceRate: 0.1 });
    expect(levels.get('s-5')).toMatchObject({ closedOrders: 560, badExperienceRate: 0, positiveRatingRate: 0.95 });
  });

  it('falls back to the global pool when the category and the parent are below minSize', async () => {
    const { records: global } = await runMonthly(policyWith({ pool: { minSize: 6 } }));
    const byDefault = operationTiers(global);
    for (const i of [1, 2, 3, 4, 5]) expect(byDefault.get(`s-${i}`)?.poolId).toBe('global');
  });
});

describe('the monthly job re-run for some sellers', async () => {
  const full = (await runMonthly()).records.map((r) => ({ ...r, runId: '' }));
  const sorted = (records: GradeRecord[]) => [...records].sort((a, b) => (`${a.sellerId}|${a.kind}` < `${b.sellerId}|${b.kind}` ? -1 : 1));

  it('writes only the listed sellers, with the same values as a full run', async () => {
    const records = await rerunMonthly({ sellers: ['s-2', 's-6'] });
    expect(records.map((r) => `${r.kind}:${r.sellerId}`).sort()).toEqual(['operationTier:s-2', 'operationTier:s-6', 'serviceLevel:s-2', 'serviceLevel:s-6']);
    for (const r of records) {
      expect(r).toEqual(full.find((f) => f.kind === r.kind && f.sellerId === r.sellerId));
    }
  });

  it('scores a lone re-run seller against its whole pool, not alone', async () => {
    const s5 = operationTiers(await rerunMonthly({ sellers: ['s-5'] })).get('s-5')!;
    expect(s5.tier).toBe('top');
    expect(s5.composite).toBe(operationTiers(full).get('s-5')!.composite);
  });

  it('writes the sellers of the listed categories', async () => {
    const records = await rerunMonthly({ categories: ['c-12'] });
    expect(new Set(records.map((r) => r.sellerId))).toEqual(new Set(['s-6']));
  });

  it('writes the union of listed sellers and categories', async () => {
    const records = await rerunMonthly({ sellers: ['s-1'], categories: ['c-12'] });
    expect(new Set(records.map((r) => r.sellerId))).toEqual(new Set(['s-1', 's-6']));
  });

  it('writes everyone for an empty filter', async () => {
    expect(sorted(await rerunMonthly({ sellers: [] }))).toEqual(sorted(full));
  });
});

describe('grader score: quarterly', () => {
  // One row carrying a whole quarter of gold-level activity (GOLD), placed on the window's edges.

  it('assesses 2026-Q2 over 2026-04-02..2026-06-30: a row on either edge counts, the day before does not', async () => {
    const scored = await scoreLines('quarterly', '2026-Q2', {
      categories,
      sellers: [1, 2, 3].map((i) => profile(`s-${i}`, 'c-11')),
      metrics: [metricRow('s-1', '2026-04-02', GOLD), metricRow('s-2', '2026-06-30', GOLD), metricRow('s-3', '2026-04-01', GOLD)],
    });
    const records = scored.records.map(validateRecord);
    expect(records.map((r) => r.kind === 'merchantAssessment' && [r.sellerId, r.assessedTier])).toEqual([
      ['s-1', 'gold'],
      ['s-2', 'gold'],
      ['s-3', 'ordinary'],
    ]);
    expect(records[0]).toMatchObject({
      quarter: '2026-Q2',
      window: { start: '2026-04-02', end: '2026-06-30' },
      effectiveFrom: '2026-07-15',
      effectiveUntil: '2026-10-14',
    });
  });
});

describe('grader score: daily', () => {
  const sellers = [profile('s-1', 'c-11'), { ...profile('s-2', 'c-11'), mall: { since: '2026-01-01' } }];
  const grants = [{ sellerId: 's-1', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' }];

  async function runDaily(date: string) {
    return (await scoreLines('daily', date, { categories, sellers, grants })).records.map(validateRecord);
  }

  it('keeps a Good Seller silver on approvedOn + 179 and writes no grant record that day', async () => {
    const records = await runDaily('2026-08-27');
    const status = records.find((r) => r.kind === 'status' && r.sellerId === 's-1');
    expect(status).toMatchObject({ merchantTier: { effective: 'silver', assessed: 'ordinary', source: 'goodSeller' }, frontBadge: 'silver' });
    expect(records.some((r) => r.kind === 'goodSellerGrant')).toBe(false);
  });

  it('expires the grant on approvedOn + 180: a grant record and an ordinary status', async () => {
    const records = await runDaily('2026-08-28');
    expect(records.find((r) => r.kind === 'goodSellerGrant')).toMatchObject({
      sellerId: 's-1',
      status: 'expired',
      expiresOn: '2026-08-28',
      endedOn: '2026-08-28',
    });
    expect(records.find((r) => r.kind === 'status' && r.sellerId === 's-1')).toMatchObject({
      merchantTier: { effective: 'ordinary', source: 'assessment' },
      goodSeller: { status: 'expired' },
      frontBadge: null,
    });
  });

  it('labels a MALL store plus without making it silver', async () => {
    const status = (await runDaily('2026-08-27')).find((r) => r.kind === 'status' && r.sellerId === 's-2');
    expect(status).toMatchObject({ mall: true, frontBadge: 'plus', merchantTier: { effective: 'ordinary' } });
  });

  it('scores D-30..D-1 and projects the merchant tier over D-90..D-1', async () => {
    const daily = (await runDaily('2026-07-02')).find((r) => r.kind === 'dailyScore' && r.sellerId === 's-1');
    expect(daily).toMatchObject({
      date: '2026-07-02',
      window: { start: '2026-06-02', end: '2026-07-01' },
      projectedTier: { tier: 'basic', reason: 'inactive' },
      projectedMerchant: { assessedTier: 'ordinary', window: { start: '2026-04-03', end: '2026-07-01' } },
    });
  });
});

describe('the order of the input', () => {
  it('gives bit-identical records whatever order the sellers and rows come in (pools sum in sellerId order)', async () => {
    const { rowsOver, syntheticMarketplace } = await import('../../functions/local/syntheticMarketplace');
    const market = syntheticMarketplace({ sellers: 120, from: '2026-05-01', to: '2026-06-30', seed: 4 });
    const rows = [...rowsOver(market, { start: '2026-05-01', end: '2026-06-30' })];
    const recordsOf = async (sellers: unknown[], metricRows: unknown[]) => {
      const { records } = await scoreLines('monthly', '2026-07', { categories: market.categories, sellers, metrics: metricRows });
      return new Map(records.map((r) => [`${r.sellerId}|${r.kind}`, JSON.stringify(r)]));
    };
    const forward = await recordsOf(market.sellers, rows);
    expect(await recordsOf([...market.sellers].reverse(), [...rows].reverse())).toEqual(forward);
    expect(forward.size).toBe(240);
  });
});
