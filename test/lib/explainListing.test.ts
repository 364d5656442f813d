import { describe, expect, it } from 'vitest';
import { explainListing, listingsByStage } from '../../lib/explainListing';
import { growthRecords } from '../../lib/growth';
import type { ListingStageRecord } from '../../lib/listingRecords';
import { LISTING_FIELD_COUNT, LF } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';

/** 60 listings of one seller; listing i has i orders over the window and a tenth of them returned. */
function stageRecords(): ListingStageRecord[] {
  const listings = Array.from({ length: 60 }, (_, i) => ({
    listingId: `l${String(i).padStart(2, '0')}`,
    sellerId: 's1',
    categoryId: 'c1',
    parentId: 'p1',
    listedOn: '2025-01-01',
    delistedOn: null,
  }));
  const sums = new Float64Array(60 * LISTING_FIELD_COUNT);
  listings.forEach((_, i) => {
    const at = i * LISTING_FIELD_COUNT;
    sums[at + LF.impressions] = 1000;
    sums[at + LF.visitors] = 100 + i;
    sums[at + LF.orders] = sums[at + LF.buyers] = sums[at + LF.ratings] = sums[at + LF.positiveRatings] = i;
    sums[at + LF.returns] = Math.floor(i / 10);
  });
  const day = { date: '2026-07-20', listings, sums, policy: DEFAULT_POLICY, runId: 'r', inForce: () => ({ stage: null, incentives: [] }) };
  return [...growthRecords(day)].filter((r): r is ListingStageRecord => r.kind === 'listingStage');
}

describe('explaining a listing (SPEC §7.6)', () => {
  it('names the stage, the lines it met or missed, every indicator and each suggestion with its action', () => {
    const records = stageRecords();
    const standard = records.find((r) => r.stage === 'standard' && r.next?.suggestions.length)!;
    const text = explainListing(standard, [], null, DEFAULT_POLICY).join('\n');
    expect(text).toContain(`listing ${standard.listingId} of seller s1 (category c1): standard since 2026-07-20`);
    expect(text).toContain(`hot ${standard.lines!.hot.toFixed(1)} orders`);
    for (const s of standard.next!.suggestions) expect(text).toContain(`${s.indicator}: `);
    expect(text).toContain(DEFAULT_POLICY.growth.actions[standard.next!.suggestions[0]!.indicator]);
    expect(text.split('\n').filter((l) => l.startsWith('    ') && l.includes('→'))).toHaveLength(6);
  });

  it('lists a seller’s listings by stage, highest first, and names the command for the rest', () => {
    const records = stageRecords();
    const text = listingsByStage(records, 5);
    const counts = (stage: string) => records.filter((r) => r.stage === stage).length;
    expect(text[0]).toBe(`listings: 60 (0 super-hot, ${counts('hot')} hot, 0 new-potential, ${counts('standard')} standard, 0 dormant, 0 delisted)`);
    expect(text.indexOf('  hot:')).toBeLessThan(text.indexOf('  standard:'));
    expect(text).toContain(`    … and ${counts('standard') - 5} more: grader listings --seller s1 --stage standard`);
  });
});
