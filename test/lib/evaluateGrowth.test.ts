import { describe, expect, it } from 'vitest';
import { inForceBefore, prepareGrowth } from '../../lib/evaluateGrowth';
import type { ListingIncentiveRecord, ListingRecord } from '../../lib/listingRecords';
import { DEFAULT_POLICY } from '../../lib/policy';

const categories = [
  { categoryId: 'c1', parentId: 'p1', name: 'One' },
  { categoryId: 'c2', parentId: 'p1', name: 'Two' },
];
const sellers = [{ sellerId: 's1', categoryId: 'c1', storeType: 'brand', openedOn: '2024-01-01' }];
const row = (listingId: string, date: string, over: Record<string, unknown> = {}) => ({
  listingId,
  date,
  impressions: 100,
  visitors: 10,
  addToCart: 2,
  orders: 2,
  buyers: 2,
  gmvCents: 2000,
  ratings: 1,
  positiveRatings: 1,
  returns: 0,
  ...over,
});

function growth(listings: unknown[], rows: unknown[], date = '2026-07-20', grades: unknown[] = []) {
  const g = prepareGrowth(date, { categories, sellers, listings, grades, ingestedOn: '2026-07-25' }, DEFAULT_POLICY, 'run-1');
  for (const r of rows) g.addListingRow(r);
  return { records: [...g.records()], quarantine: g.quarantine() };
}

describe('listings through the input boundary (SPEC §3.5)', () => {
  it('quarantines every invalid listing, and the rows of a quarantined listing as rows of an unknown listing', () => {
    const { quarantine } = growth(
      [
        { listingId: 'ok', sellerId: 's1', categoryId: 'c2', listedOn: '2026-01-01' },
        { listingId: 'ok', sellerId: 's1', categoryId: 'c1', listedOn: '2026-01-01' },
        { listingId: 'who', sellerId: 'nobody', categoryId: 'c1', listedOn: '2026-01-01' },
        { listingId: 'what', sellerId: 's1', categoryId: 'c9', listedOn: '2026-01-01' },
        { listingId: 'when', sellerId: 's1', categoryId: 'c1', listedOn: '2026-02-30' },
        { listingId: 'early', sellerId: 's1', categoryId: 'c1', listedOn: '2014-12-31' },
        { listingId: 'later', sellerId: 's1', categoryId: 'c1', listedOn: '2026-01-01', delistedOn: '2026-08-01' },
        { listingId: 'order', sellerId: 's1', categoryId: 'c1', listedOn: '2026-03-01', delistedOn: '2026-02-01' },
        { listingId: 'bad id!', sellerId: 's1', categoryId: 'c1', listedOn: '2026-01-01' },
      ],
      [row('who', '2026-07-01')],
    );
    const reasons = quarantine.map((q) => `${q.source}: ${q.reason}`);
    expect(reasons).toEqual([
      'listings: listing ok, seller s1: repeats an earlier row; the first one stands',
      'listings: listing who, seller nobody: unknown seller',
      'listings: listing what, seller s1: categoryId c9 is not a known category',
      expect.stringMatching(/^listings: listing when: listedOn: /),
      'listings: listing early, seller s1: listedOn (2014-12-31) is before data.earliestDate (2015-01-01)',
      'listings: listing later, seller s1: delistedOn (2026-08-01) is after the date it was ingested on (2026-07-25)',
      'listings: listing order: delistedOn: must not be before listedOn',
      expect.stringMatching(/^listings: listing bad id!: listingId: /),
      'listingMetrics: listing who, 2026-07-01: unknown listing',
    ]);
  });

  it('quarantines every invalid row of the window with its rule; the first of a repeated key stands', () => {
    const listings = [{ listingId: 'l1', sellerId: 's1', categoryId: 'c1', listedOn: '2026-07-01', delistedOn: '2026-07-15' }];
    const { quarantine, records } = growth(listings, [
      row('l1', '2026-07-02'),
      row('l1', '2026-07-02', { orders: 9 }),
      row('l1', '2026-07-03', { visitors: 101 }),
      row('l1', '2026-07-03', { impressions: 5, visitors: 5, buyers: 3 }),
      row('l1', '2026-07-04', { positiveRatings: 2 }),
      row('l1', '2026-07-05', { returns: 3 }),
      row('l1', '2026-07-06', { gmvCents: -1 }),
      row('l1', '2026-07-07', { ratings: 1.5 }),
      row('l1', '2026-07-08', { addToCart: undefined }),
      row('l1', '2026-06-30'),
      row('l1', '2026-07-16'),
      row('l1', '2026-07-32'),
      row('l1', '2026-07-26'),
      row('l1', '2026-06-01'),
    ]);
    expect(quarantine.map((q) => q.reason)).toEqual([
      'listing l1, 2026-07-02: repeats the key (listingId, date) of an earlier row; the first one stands',
      'listing l1, 2026-07-03: visitors (101) > impressions (100)',
      'listing l1, 2026-07-03: repeats the key (listingId, date) of an earlier row; the first one stands',
      'listing l1, 2026-07-04: positiveRatings (2) > ratings (1)',
      'listing l1, 2026-07-05: returns (3) > orders (2)',
      'listing l1, 2026-07-06: gmvCents (-1) is negative',
      'listing l1, 2026-07-07: ratings (1.5) is not an integer',
      'listing l1, 2026-07-08: addToCart is missing',
      "listing l1, 2026-06-30: date is before the listing's listedOn (2026-07-01)",
      "listing l1, 2026-07-16: date is after the listing's delistedOn (2026-07-15)",
      'listing l1, 2026-07-32: date is not a calendar date (YYYY-MM-DD)',
      'listing l1, 2026-07-26: date (2026-07-26) is after the date it was ingested on (2026-07-25)',
    ]);
    // a row outside the window is not the job's (2026-06-01), and the listing was delisted before D-1
    expect(records).toEqual([]);
  });
});

describe('the state in force before D', () => {
  const incentive = (grantedOn: string, status: ListingIncentiveRecord['status'], endedOn: string | null): ListingIncentiveRecord => ({
    kind: 'listingIncentive',
    listingId: 'l1',
    sellerId: 's1',
    categoryId: 'c1',
    stage: 'hot',
    grantedOn,
    expiresOn: '2026-08-30',
    benefit: 'b',
    status,
    endedOn,
    policyVersion: '2026.1',
    runId: 'r',
  });

  it('reads incentives as they stood before D, whatever was written on D or later', () => {
    const earlier: ListingRecord[] = [
      incentive('2026-07-01', 'active', null),
      incentive('2026-07-01', 'superseded', '2026-07-20'),
      incentive('2026-07-05', 'superseded', '2026-07-10'),
      incentive('2026-07-20', 'active', null),
    ];
    const state = inForceBefore('2026-07-20', earlier).get('l1')!;
    expect(state.incentives.map((r) => [r.grantedOn, r.status])).toEqual([['2026-07-01', 'active']]);
  });

  it('gives the same records when D is run again with its own records among the earlier ones', () => {
    const listings = Array.from({ length: 80 }, (_, i) => ({
      listingId: `l${i}`,
      sellerId: 's1',
      categoryId: 'c1',
      listedOn: i % 3 ? '2026-01-01' : '2026-06-01',
    }));
    const rows = listings.flatMap((l, i) =>
      ['2026-07-01', '2026-07-10', '2026-07-18'].map((d) =>
        row(l.listingId, d, { orders: i % 10 === 0 ? 40 : i % 5, buyers: i % 10 === 0 ? 40 : i % 5, visitors: 10 + i }),
      ),
    );
    const first = growth(listings, rows, '2026-07-20');
    const second = growth(listings, rows, '2026-07-21', first.records);
    const again = growth(listings, rows, '2026-07-20', [...first.records, ...second.records]);
    expect(again.records).toEqual(first.records);
    expect(first.records.filter((r) => r.kind === 'listingIncentive').length).toBeGreaterThan(0);
  });
});
