import { describe, expect, it } from 'vitest';
import { assignListingBlocks, type StoredListing } from '../../functions/data/listingsRepository';
import { LISTING_BLOCK_SIZE } from '../../functions/data/tables';
import { planGrowthShards, type GrowthData } from '../../functions/jobs/growthRun';
import { growthWindow } from '../../lib/growth';
import { LF, LISTING_FIELD_COUNT } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';

const listing = (listingId: string, categoryId: string) => ({ listingId, sellerId: 's1', categoryId, listedOn: '2026-01-01', delistedOn: null });

describe('listing blocks', () => {
  it('keep a known listing in its block and slot, and fill blocks of one category up to their size', () => {
    const first = assignListingBlocks(
      [],
      Array.from({ length: LISTING_BLOCK_SIZE + 2 }, (_, i) => listing(`a${i}`, 'shoes')),
    );
    expect(new Set(first.map((l) => l.block))).toEqual(new Set(['listings#shoes#0000', 'listings#shoes#0001']));
    expect(first.filter((l) => l.block === 'listings#shoes#0001').map((l) => l.slot)).toEqual([0, 1]);
    const moved = { ...listing('a5', 'bags'), delistedOn: '2026-03-01' };
    const second = assignListingBlocks(first, [moved, listing('b0', 'bags')]);
    // the touched blocks come back whole, so that each block's reference item is rewritten whole
    expect(second.filter((l) => l.block === 'listings#shoes#0000')).toHaveLength(LISTING_BLOCK_SIZE);
    const a5 = second.find((l) => l.listingId === 'a5')!;
    expect([a5.block, a5.slot, a5.categoryId, a5.delistedOn]).toEqual(['listings#shoes#0000', 5, 'bags', '2026-03-01']);
    expect(second.find((l) => l.listingId === 'b0')).toMatchObject({ block: 'listings#bags#0000', slot: 0 });
  });
});

describe('growth shards', () => {
  it('put every category, and so every listing block, in exactly one shard, and every listed listing in one shard once', () => {
    const period = '2026-06-10';
    const sizes: Record<string, [number, string]> = {
      shoes: [70, 'fashion'],
      bags: [30, 'fashion'],
      hats: [25, 'fashion'],
      cables: [8, 'tech'],
      lamps: [4, 'home'],
    };
    const stored: StoredListing[] = Object.entries(sizes).flatMap(([categoryId, [n]]) =>
      Array.from({ length: n }, (_, i) => ({ ...listing(`${categoryId}${i}`, categoryId), block: `listings#${categoryId}#0000`, slot: i })),
    );
    // every fifth listing has no visitors (dormant), lamps none at all, one listing is not listed yet
    stored[3]!.listedOn = '2026-07-01';
    const sums = new Float64Array(stored.length * LISTING_FIELD_COUNT);
    stored.forEach((l, i) => {
      if (i % 5 !== 0 && l.categoryId !== 'lamps') sums[i * LISTING_FIELD_COUNT + LF.visitors] = 10 + i;
    });
    const data: GrowthData = {
      period,
      window: growthWindow(period),
      stored,
      listings: stored.map((l) => ({ ...l, parentId: sizes[l.categoryId]![1] })),
      sums,
      referenceRevision: 1,
    };
    const shards = planGrowthShards(data, DEFAULT_POLICY, () => true);
    const categoriesOf = shards.map((s) => new Set([...s.assigned, ...s.idle].map((i) => stored[i]!.categoryId)));
    for (const category of Object.keys(sizes)) expect(categoriesOf.filter((c) => c.has(category))).toHaveLength(1);
    const placed = shards.flatMap((s) => [...s.assigned, ...s.idle]).sort((a, b) => a - b);
    expect(placed).toEqual(stored.flatMap((_, i) => (i === 3 ? [] : [i])));
    expect(shards.map((s) => s.shardId)).toEqual(['cat:shoes', 'parent:fashion', 'global', 'idle:lamps']);
  });
});
