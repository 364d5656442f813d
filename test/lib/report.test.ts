import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticRecords } from '../../functions/local/syntheticRecords';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { DailyScoreRecord, GoodSellerGrantRecord, GradeRecord, OperationTierRecord } from '../../lib/records';
import { CELL_SELLERS, INLINE_SELLERS, LISTED_CATEGORIES, migrationCells, ReportTally, sellerView } from '../../lib/report';
import { smallMarket } from '../helpers/fixtures';
import { scoredRecords } from '../helpers/gradeRecords';

const m = smallMarket(120, '2026-02-01', '2026-07-31', 3);
const records = await scoredRecords(m, { months: ['2026-05', '2026-06', '2026-07'], quarter: '2026-Q2', day: '2026-07-31' });
const tiers = records.filter((r): r is OperationTierRecord => r.kind === 'operationTier');
const modelOf = (rs: Iterable<GradeRecord>, period?: string) => {
  const tally = new ReportTally(period);
  for (const r of rs) tally.add(r);
  return { tally, model: tally.marketplace({ policy: DEFAULT_POLICY }) };
};

describe('the marketplace report tally', () => {
  it('counts the tiers of every month and every cell of the migration, as the records say', () => {
    const { model } = modelOf(records);
    expect(model.sellers).toBe(120);
    expect(model.months).toEqual(['2026-05', '2026-06', '2026-07']);
    for (const { month, counts } of model.tiersByMonth)
      for (const tier of ['top', 'highPotential', 'mid', 'basic'])
        expect(counts[tier] ?? 0).toBe(tiers.filter((r) => r.period === month && r.tier === tier).length);
    const june = new Map(tiers.filter((r) => r.period === '2026-06').map((r) => [r.sellerId, r.tier]));
    const july = tiers.filter((r) => r.period === '2026-07');
    expect(model.migration?.from).toBe('2026-06');
    for (const cell of model.migration!.cells) {
      const ids = july
        .filter((r) => (june.get(r.sellerId) ?? 'none') === cell.from && r.tier === cell.to)
        .map((r) => r.sellerId)
        .sort();
      expect(cell.count).toBe(ids.length);
      expect(cell.first).toEqual(ids.slice(0, CELL_SELLERS));
    }
    expect(model.migration!.cells.reduce((a, c) => a + c.count, 0)).toBe(july.length);
  });

  it('gives the same page whatever order the records come in', () => {
    const shuffled = fc.sample(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), { numRuns: 1, seed: 4 })[0]!;
    expect(modelOf(shuffled).model).toEqual(modelOf(records).model);
  });

  it('leaves out months after the report’s period', () => {
    const { model } = modelOf(records, '2026-06');
    expect(model.months).toEqual(['2026-05', '2026-06']);
    expect(model.migration).toMatchObject({ from: '2026-05', to: '2026-06' });
    expect(model.serviceByMonth.map((s) => s.month)).toEqual(['2026-05', '2026-06']);
  });

  it('holds bounded lists at 20,000 sellers: the first sellers of each cell, the largest categories, the views it names', () => {
    let count = 0;
    const { tally, model } = modelOf(
      (function* () {
        for (const seller of syntheticRecords(records, { sellers: 20_000 })) {
          count++;
          yield* seller;
        }
      })(),
    );
    expect(count).toBe(20_000);
    expect(model.sellers).toBe(20_000);
    for (const c of model.migration!.cells) expect(c.first.length).toBe(Math.min(c.count, CELL_SELLERS));
    expect(model.categoryCount).toBeGreaterThan(LISTED_CATEGORIES / 2);
    expect(model.categories.length).toBeLessThanOrEqual(LISTED_CATEGORIES);
    expect(model.categories.map((c) => c.sellers)).toEqual([...model.categories.map((c) => c.sellers)].sort((a, b) => b - a));
    const inlined = tally.inlined(model);
    expect(inlined.length).toBeLessThanOrEqual(INLINE_SELLERS);
    expect(new Set(inlined)).toEqual(new Set(model.migration!.cells.flatMap((c) => c.first)));
    expect(JSON.stringify(model).length).toBeLessThan(100_000);
  });

  it('holds every seller’s view up to the bound', () => {
    const { tally, model } = modelOf(records);
    expect(tally.inlined(model)).toEqual([...new Set(records.map((r) => r.sellerId))].sort());
  });

  it('counts grants active and expiring by month, from approval to end or expiry', () => {
    const grant = (sellerId: string, approvedOn: string, expiresOn: string, endedOn: string | null): GoodSellerGrantRecord => ({
      kind: 'goodSellerGrant',
      sellerId,
      categoryId: 'c-01',
      policyVersion: '2026.1',
      runId: 'r',
      appliedOn: approvedOn,
      approvedOn,
      approvedBy: 'ops',
      note: null,
      expiresOn,
      status: endedOn ? 'revoked' : 'active',
      endedOn,
      revokedBy: endedOn ? 'ops' : null,
    });
    const { model } = modelOf([
      ...tiers.filter((r) => r.sellerId === tiers[0]!.sellerId),
      grant('g-1', '2026-04-10', '2026-06-30', null),
      grant('g-2', '2026-06-01', '2027-05-31', '2026-06-20'),
    ]);
    expect(model.grants).toEqual([
      { month: '2026-05', active: 1, expiring: 0 },
      { month: '2026-06', active: 2, expiring: 1 },
      { month: '2026-07', active: 0, expiring: 0 },
    ]);
    expect(model.grantStatuses).toEqual({ active: 1, revoked: 1 });
  });

  it('counts a category named like an Object property as any other', () => {
    const odd = tiers.filter((r) => r.period === '2026-07').map((r) => ({ ...r, categoryId: 'constructor' }));
    const { model } = modelOf(odd);
    expect(model.categories).toHaveLength(1);
    expect(model.categories[0]).toMatchObject({ categoryId: 'constructor', sellers: odd.length });
  });
});

describe('migration cells', () => {
  it('list the smallest ids of each cell, however many sellers are in it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^s-[0-9a-f]{1,6}$/), { maxLength: 300 }), fc.integer({ min: 1, max: 30 }), (ids, n) => {
        const after = new Map(ids.map((id) => [id, 'top']));
        const [cell] = migrationCells(new Map(), after, n);
        expect(cell?.first ?? []).toEqual([...ids].sort().slice(0, n));
      }),
    );
  });
});

describe('a seller view', () => {
  it('shows the seller’s tiers, latest daily score, service level and merchant assessment from its own records', () => {
    const daily = records.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore' && r.abilities !== null);
    const d = daily[0]!;
    const view = sellerView(d.sellerId, records, { period: '2026-07', pool: { means: [1, 2, 3, 4, 5, 6, 7], members: 40 } });
    expect(view.tiers.map((t) => [t[0], t[1]])).toEqual(tiers.filter((r) => r.sellerId === d.sellerId).map((r) => [r.period, r.tier]));
    expect(view.daily).toMatchObject({
      date: '2026-07-31',
      tier: d.projectedTier.tier,
      poolAbilities: [1, 2, 3, 4, 5, 6, 7],
      pool: { poolId: d.poolId, members: 40, sampled: 40 },
    });
    expect(view.service?.period).toBe('2026-07');
    expect(view.merchant?.quarter).toBe('2026-Q2');
    expect(sellerView(d.sellerId, records, { period: '2026-06' }).service?.period).toBe('2026-06');
  });

  it('lists the newest 100 bad orders and says how many there are in all', () => {
    const orders = Array.from({ length: 130 }, (_, i) => ({ orderId: `o-${i}`, closedOn: '2026-07-01', reasons: ['lateShipment'], excluded: false }));
    const view = sellerView(tiers[0]!.sellerId, records, { period: '2026-07', badOrders: orders });
    expect(view.badOrders).toHaveLength(100);
    expect(view.badOrdersTotal).toBe(130);
  });
});
