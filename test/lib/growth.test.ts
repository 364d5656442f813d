import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { growthRecords, planGrowth, type GrowthInForce, type GrowthListing } from '../../lib/growth';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from '../../lib/listingRecords';
import { validateListingRecord } from '../../lib/listingRecords';
import { LISTING_FIELD_COUNT, LISTING_FIELDS, type ListingValues } from '../../lib/listings';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import { quantile } from '../../lib/quantile';

const D = '2026-07-20';
const OLD = '2025-01-01';
const NONE: GrowthInForce = { stage: null, incentives: [] };

/** A listing's window totals; unspecified fields follow from `orders` and `visitors`. */
function totals(t: Partial<ListingValues> & { orders?: number; visitors?: number }): ListingValues {
  const visitors = t.visitors ?? 100;
  const orders = t.orders ?? 0;
  return {
    impressions: t.impressions ?? visitors * 10,
    visitors,
    addToCart: t.addToCart ?? Math.floor(visitors / 5),
    orders,
    buyers: t.buyers ?? orders,
    gmvCents: t.gmvCents ?? orders * 1000,
    ratings: t.ratings ?? orders,
    positiveRatings: t.positiveRatings ?? orders,
    returns: t.returns ?? 0,
  };
}

interface Spec {
  id: string;
  listedOn?: string;
  delistedOn?: string | null;
  categoryId?: string;
  values: ListingValues;
}

function day(specs: Spec[], options: { date?: string; policy?: Policy; inForce?: Record<string, GrowthInForce> } = {}) {
  const listings: GrowthListing[] = specs.map((s) => ({
    listingId: s.id,
    sellerId: `s-${s.id}`,
    categoryId: s.categoryId ?? 'c1',
    parentId: 'p1',
    listedOn: s.listedOn ?? OLD,
    delistedOn: s.delistedOn ?? null,
  }));
  const sums = new Float64Array(specs.length * LISTING_FIELD_COUNT);
  specs.forEach((s, i) => LISTING_FIELDS.forEach((f, j) => (sums[i * LISTING_FIELD_COUNT + j] = s.values[f])));
  return {
    date: options.date ?? D,
    listings,
    sums,
    policy: options.policy ?? DEFAULT_POLICY,
    runId: 'test-run',
    inForce: (i: number) => options.inForce?.[listings[i]!.listingId] ?? NONE,
  };
}

const run = (...args: Parameters<typeof day>) => [...growthRecords(day(...args))].map((r) => validateListingRecord(r));
const stageOf = (records: ListingRecord[], id: string) => records.find((r): r is ListingStageRecord => r.kind === 'listingStage' && r.listingId === id);
const incentivesOf = (records: ListingRecord[], id: string) =>
  records.filter((r): r is ListingIncentiveRecord => r.kind === 'listingIncentive' && r.listingId === id);

/** 60 quiet listings (1 order each over 30 days): the pool's quantile lines fall under the policy minimums. */
const quiet = (n = 60): Spec[] => Array.from({ length: n }, (_, i) => ({ id: `q${String(i).padStart(3, '0')}`, values: totals({ orders: 1 }) }));

describe('growth pools and lines (SPEC §7.6)', () => {
  it('pools a category with 50 active listings alone, a smaller one with its parent, and leaves dormant listings out', () => {
    const specs: Spec[] = [
      ...quiet(50),
      ...Array.from({ length: 3 }, (_, i) => ({ id: `small${i}`, categoryId: 'c2', values: totals({ orders: 2 }) })),
      { id: 'asleep', values: totals({ visitors: 0, orders: 0 }) },
    ];
    const plan = planGrowth(day(specs));
    expect(plan.pools.map((p) => [p.poolId, p.members.length, p.assigned.length]).sort()).toEqual([
      ['cat:c1', 50, 50],
      ['parent:p1', 53, 3],
    ]);
    expect(plan.idle).toEqual([53]);
    const records = run(specs);
    expect(stageOf(records, 'asleep')).toMatchObject({ stage: 'dormant', poolId: null, growthScore: null, lines: null, indicators: null, next: null });
  });

  it('takes the hot and super-hot lines as the larger of the pool quantile and the policy minimum', () => {
    const specs: Spec[] = Array.from({ length: 60 }, (_, i) => ({ id: `l${String(i).padStart(2, '0')}`, values: totals({ orders: i * 10 }) }));
    const records = run(specs);
    const orders = specs.map((s) => s.values.orders);
    const lines = stageOf(records, 'l00')!.lines!;
    expect(lines.hot).toBe(Math.max(quantile(orders, 0.9), 30));
    expect(lines.superHot).toBe(Math.max(quantile(orders, 0.99), 300));
    expect(lines.hot).toBeCloseTo(531, 9);
    expect(lines.superHot).toBeCloseTo(584.1, 9);
    expect(stageOf(records, 'l59')!.stage).toBe('superHot');
    expect(stageOf(records, 'l54')!.stage).toBe('hot');
    expect(stageOf(records, 'l53')!.stage).toBe('standard');
  });

  it('needs a positive rate of at least 0.90 — a listing without ratings fails it', () => {
    const specs = [
      ...quiet(),
      { id: 'unrated', values: totals({ orders: 500, ratings: 0, positiveRatings: 0 }) },
      { id: 'mixed', values: totals({ orders: 500, ratings: 100, positiveRatings: 89 }) },
      { id: 'liked', values: totals({ orders: 500, ratings: 100, positiveRatings: 90 }) },
    ];
    const records = run(specs);
    expect(stageOf(records, 'unrated')!.stage).toBe('standard');
    expect(stageOf(records, 'mixed')!.stage).toBe('standard');
    expect(stageOf(records, 'liked')!.stage).toBe('superHot');
  });

  it('makes a new listing newPotential when its growth score reaches the pool quantile of the new ones', () => {
    const fresh = '2026-06-01';
    const specs = [
      ...quiet(),
      ...Array.from({ length: 12 }, (_, i) => ({
        id: `n${String(i).padStart(2, '0')}`,
        listedOn: fresh,
        values: totals({ visitors: 50 + i * 40, orders: i }),
      })),
    ];
    const records = run(specs);
    const scores = specs.slice(60).map((s) => stageOf(records, s.id)!.growthScore!);
    const line = quantile(scores, 0.7);
    expect(stageOf(records, 'n00')!.lines!.newPotential).toBeCloseTo(line, 12);
    for (const s of specs.slice(60)) {
      const r = stageOf(records, s.id)!;
      expect(r.stage).toBe(r.growthScore! >= line ? 'newPotential' : 'standard');
    }
    // an old listing is never newPotential, whatever its score
    expect(records.filter((r) => r.kind === 'listingStage' && r.listingId.startsWith('q') && r.stage === 'newPotential')).toEqual([]);
  });
});

describe('hysteresis (SPEC §7.6)', () => {
  const hotRecord = (id: string, stage: 'hot' | 'superHot'): ListingStageRecord => ({
    ...stageOf(run([...quiet(), { id, values: totals({ orders: 400 }) }]), id)!,
    stage,
    since: '2026-07-01',
    asOf: '2026-07-01',
  });

  it('keeps hot while orders stay at 80 % of the hot line, and drops it below', () => {
    const inForce = { keep: { stage: hotRecord('keep', 'hot'), incentives: [] }, drop: { stage: hotRecord('drop', 'hot'), incentives: [] } };
    const records = run([...quiet(), { id: 'keep', values: totals({ orders: 24 }) }, { id: 'drop', values: totals({ orders: 23 }) }], { inForce });
    expect(stageOf(records, 'keep')).toMatchObject({ stage: 'hot', since: '2026-07-01' });
    expect(stageOf(records, 'drop')).toMatchObject({ stage: 'standard', since: D });
  });

  it('lets super-hot fall to hot with hot’s own keep line', () => {
    const inForce = {
      stays: { stage: hotRecord('stays', 'superHot'), incentives: [] },
      falls: { stage: hotRecord('falls', 'superHot'), incentives: [] },
      out: { stage: hotRecord('out', 'superHot'), incentives: [] },
    };
    const specs = [
      ...quiet(),
      { id: 'stays', values: totals({ orders: 240 }) },
      { id: 'falls', values: totals({ orders: 239 }) },
      { id: 'out', values: totals({ orders: 23 }) },
    ];
    const records = run(specs, { inForce });
    expect(stageOf(records, 'stays')!.stage).toBe('superHot');
    expect(stageOf(records, 'falls')!.stage).toBe('hot');
    expect(stageOf(records, 'out')!.stage).toBe('standard');
  });

  it('does not flip a listing that hovers around the hot line every day', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 25, max: 36 }), { minLength: 10, maxLength: 40 }), (daily) => {
        let inForce: GrowthInForce = NONE;
        let changes = 0;
        let date = '2026-07-01';
        for (const orders of daily) {
          const records = run([...quiet(), { id: 'hover', values: totals({ orders }) }], { date, inForce: { hover: inForce } });
          const stage = stageOf(records, 'hover')!;
          if (inForce.stage && inForce.stage.stage !== stage.stage) changes++;
          inForce = { stage, incentives: [] };
          date = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        }
        // the line is 30 orders: once hot at 30+, 24+ keeps it, so the hovering listing changes stage at most once
        expect(changes).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });
});

describe('suggestions (SPEC §7.6)', () => {
  it('benchmarks against the median of the next stage when it holds 5 listings, else the pool’s 90th percentile', () => {
    const hot = Array.from({ length: 5 }, (_, i) => ({ id: `h${i}`, values: totals({ orders: 40 + i, visitors: 1000 + 100 * i }) }));
    const specs = [...quiet(), ...hot, { id: 'me', values: totals({ orders: 2, visitors: 200, buyers: 1 }) }];
    const records = run(specs);
    const me = stageOf(records, 'me')!;
    expect(me.next!.stage).toBe('hot');
    const visitors = me.next!.suggestions.find((s) => s.indicator === 'visitors');
    expect(visitors).toMatchObject({ actual: 200, benchmark: 1200 });
    expect(me.next!.suggestions.length).toBeLessThanOrEqual(3);

    const fewer = run([...quiet(), ...hot.slice(0, 4), { id: 'me', values: totals({ orders: 2, visitors: 50, buyers: 1 }) }]);
    const pool = [...quiet().map((s) => s.values.visitors), ...hot.slice(0, 4).map((s) => s.values.visitors), 50];
    const v = stageOf(fewer, 'me')!.next!.suggestions.find((s) => s.indicator === 'visitors');
    expect(v).toMatchObject({ actual: 50, benchmark: quantile(pool, 0.9) });
  });

  it('suggests only indicators that trail, at most maxSuggestions, the largest weighted gaps first', () => {
    const policy = parsePolicy({ ...DEFAULT_POLICY, growth: { ...DEFAULT_POLICY.growth, maxSuggestions: 6 } });
    const hot = Array.from({ length: 6 }, (_, i) => ({ id: `h${i}`, values: totals({ orders: 50, visitors: 2000, buyers: 50, returns: 1 }) }));
    const specs = [...quiet(), ...hot, { id: 'me', values: totals({ orders: 5, visitors: 100, buyers: 1, returns: 3, ratings: 5, positiveRatings: 5 }) }];
    const all = stageOf(run(specs, { policy }), 'me')!.next!.suggestions;
    expect(all.map((s) => s.indicator)).not.toContain('positiveRate');
    for (const s of all) {
      expect(s.indicator === 'returnRate' ? s.actual > s.benchmark : s.actual < s.benchmark).toBe(true);
      expect(s.action).toBe(DEFAULT_POLICY.growth.actions[s.indicator]);
    }
    const three = stageOf(run(specs), 'me')!.next!.suggestions;
    expect(three).toEqual(all.slice(0, 3));
  });
});

describe('records and incentives (SPEC §7.6)', () => {
  it('grants an incentive on a move up, supersedes the active one, and keeps the record when nothing it says changes', () => {
    const specs = [...quiet(), { id: 'star', values: totals({ orders: 40 }) }];
    const first = run(specs, { date: '2026-07-10' });
    const star = stageOf(first, 'star')!;
    expect(star).toMatchObject({ stage: 'hot', since: '2026-07-10' });
    expect(incentivesOf(first, 'star')).toEqual([
      expect.objectContaining({
        stage: 'hot',
        grantedOn: '2026-07-10',
        expiresOn: '2026-08-09',
        status: 'active',
        endedOn: null,
        benefit: DEFAULT_POLICY.growth.benefits.hot,
      }),
    ]);
    const grant = incentivesOf(first, 'star')[0]!;
    const again = run(specs, { date: '2026-07-11', inForce: { star: { stage: star, incentives: [grant] } } });
    expect(stageOf(again, 'star')).toEqual(star);
    expect(incentivesOf(again, 'star')).toEqual([]);

    const up = run([...quiet(), { id: 'star', values: totals({ orders: 400 }) }], {
      date: '2026-07-12',
      inForce: { star: { stage: star, incentives: [grant] } },
    });
    expect(incentivesOf(up, 'star')).toEqual([
      expect.objectContaining({ grantedOn: '2026-07-10', status: 'superseded', endedOn: '2026-07-12' }),
      expect.objectContaining({ stage: 'superHot', grantedOn: '2026-07-12', expiresOn: '2026-08-11', status: 'active' }),
    ]);
  });

  it('expires an incentive on its expiresOn and ends it when the listing is delisted', () => {
    const specs = [...quiet(), { id: 'star', values: totals({ orders: 40 }) }];
    const first = run(specs, { date: '2026-07-10' });
    const star = stageOf(first, 'star')!;
    const grant = incentivesOf(first, 'star')[0]!;
    const expired = run(specs, { date: grant.expiresOn, inForce: { star: { stage: star, incentives: [grant] } } });
    expect(incentivesOf(expired, 'star')).toEqual([expect.objectContaining({ status: 'expired', endedOn: grant.expiresOn })]);

    const gone = run([...quiet(), { id: 'star', delistedOn: '2026-07-12', values: totals({ orders: 40 }) }], {
      date: '2026-07-14',
      inForce: { star: { stage: star, incentives: [grant] } },
    });
    expect(stageOf(gone, 'star')).toMatchObject({ stage: 'delisted', since: '2026-07-14', poolId: null });
    expect(incentivesOf(gone, 'star')).toEqual([expect.objectContaining({ status: 'ended', endedOn: '2026-07-14' })]);
    // delisted on D-1 it is still evaluated; never staged, a delisted listing gets nothing
    expect(stageOf(run([...quiet(), { id: 'last', delistedOn: '2026-07-19', values: totals({ orders: 1 }) }]), 'last')!.stage).toBe('standard');
    expect(stageOf(run([...quiet(), { id: 'never', delistedOn: '2026-07-10', values: totals({ orders: 1 }) }]), 'never')).toBeUndefined();
  });

  it('does not evaluate a listing listed on D or later', () => {
    expect(stageOf(run([...quiet(), { id: 'soon', listedOn: D, values: totals({ orders: 0, visitors: 0 }) }]), 'soon')).toBeUndefined();
    expect(stageOf(run([...quiet(), { id: 'new', listedOn: '2026-07-19', values: totals({ orders: 1 }) }]), 'new')).toBeDefined();
  });
});
