import { describe, expect, it } from 'vitest';
import { listingRowsOver, syntheticListings } from '../../functions/local/syntheticListings';
import { syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { addDays, daysBetween, epochDay } from '../../lib/calendar';
import { prepareGrowth } from '../../lib/evaluateGrowth';
import { growthWindow, sameStageRecord } from '../../lib/growth';
import { STAGE_RANK } from '../../lib/growthIndicators';
import { type ListingIncentiveRecord, type ListingRecord, type ListingStageRecord, validateListingRecord } from '../../lib/listingRecords';
import type { ListingMetricRow } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';

const policy = DEFAULT_POLICY;
const from = '2025-07-01';
const to = '2026-03-31';
const market = syntheticMarketplace({ sellers: 150, from, to });
const synthetic = syntheticListings(market, { from, to });

describe('synthetic listings', () => {
  it('obey SPEC §3.5: parts within wholes, no row outside the listed days, one row per listing and date', () => {
    const listed = new Map(synthetic.listings.map((l) => [l.listingId, l]));
    const keys = new Set<string>();
    const broken: string[] = [];
    for (const r of listingRowsOver(synthetic, { start: from, end: to })) {
      const l = listed.get(r.listingId)!;
      const key = `${r.listingId}|${r.date}`;
      if (r.date < l.listedOn || (l.delistedOn != null && r.date > l.delistedOn)) broken.push(`${key}: outside ${l.listedOn}..${l.delistedOn}`);
      if (r.visitors > r.impressions || r.buyers > r.orders || r.positiveRatings > r.ratings || r.returns > r.orders)
        broken.push(`${key}: a part beyond its whole`);
      if (keys.has(key)) broken.push(`${key}: twice`);
      keys.add(key);
    }
    expect(broken.slice(0, 10)).toEqual([]);
    expect(keys.size).toBeGreaterThan(0);
    for (const l of synthetic.listings) expect(l.delistedOn == null || l.listedOn <= l.delistedOn).toBe(true);
    // 20 to 50 listings a seller
    expect(synthetic.listings.length / market.sellers.length).toBeGreaterThanOrEqual(20);
    expect(synthetic.listings.length / market.sellers.length).toBeLessThanOrEqual(50);
  });

  it('are the same from the same seed', () => {
    const again = syntheticListings(syntheticMarketplace({ sellers: 150, from, to }), { from, to });
    expect(again.listings).toEqual(synthetic.listings);
    expect(again.rowsOn('2026-01-15')).toEqual(synthetic.rowsOn('2026-01-15'));
  });
});

/**
 * The growth job of 35 consecutive days on the synthetic listings, each day reading the records
 * the days before wrote (as `grader score` reads grades.jsonl), written change-only.
 */
describe('the growth job chained over consecutive days', () => {
  const first = '2026-02-01';
  const days = 35;
  const rowsOf = new Map<string, ListingMetricRow[]>();
  const rowsOn = (date: string) => rowsOf.get(date) ?? rowsOf.set(date, synthetic.rowsOn(date)).get(date)!;
  const stages = new Map<string, ListingStageRecord>();
  const incentives = new Map<string, ListingIncentiveRecord>();
  const seen = { stages: new Set<string>(), statuses: new Set<string>(), written: 0, kept: 0 };
  const problems: string[] = [];

  const runDay = (date: string) => {
    const growth = prepareGrowth(
      date,
      { categories: market.categories, sellers: market.sellers, listings: synthetic.listings, grades: [...stages.values(), ...incentives.values()] },
      policy,
      `chain-${date}`,
    );
    const window = growthWindow(date);
    for (let d = window.start; d <= window.end; d = addDays(d, 1)) for (const row of rowsOn(d)) growth.addListingRow(row);
    expect(growth.quarantine()).toEqual([]);
    const records: ListingRecord[] = [...growth.records()].map((r) => validateListingRecord(r));
    const stagedToday = new Set<string>();
    for (const r of records) {
      if (r.kind === 'listingStage') {
        if (stagedToday.has(r.listingId)) problems.push(`${date} ${r.listingId}: two stage records`);
        stagedToday.add(r.listingId);
        const before = stages.get(r.listingId);
        seen.stages.add(r.stage);
        if (r.since > r.asOf) problems.push(`${date} ${r.listingId}: since ${r.since} after asOf ${r.asOf}`);
        if (r.asOf !== date) {
          // a kept record is the one in force, unchanged
          if (!before || before.asOf !== r.asOf || before.stage !== r.stage) problems.push(`${date} ${r.listingId}: kept record is not the one in force`);
          seen.kept++;
          continue;
        }
        // a written record is a change: its stage, next stage or suggested indicators differ
        if (before && sameStageRecord(before, r)) problems.push(`${date} ${r.listingId}: written without a change`);
        if (before && before.stage === r.stage && r.since !== before.since) problems.push(`${date} ${r.listingId}: since moved without a stage change`);
        if ((!before || before.stage !== r.stage) && r.since !== date) problems.push(`${date} ${r.listingId}: a new stage since ${r.since}`);
        const rankBefore = STAGE_RANK[before?.stage ?? 'standard'];
        const granted = records.some((i) => i.kind === 'listingIncentive' && i.listingId === r.listingId && i.grantedOn === date);
        if (granted !== STAGE_RANK[r.stage] > rankBefore) problems.push(`${date} ${r.listingId}: ${before?.stage ?? 'none'} -> ${r.stage}, granted ${granted}`);
        stages.set(r.listingId, r);
        seen.written++;
      } else {
        seen.statuses.add(r.status);
        const days = daysBetween(r.grantedOn, r.expiresOn);
        if (days !== policy.growth.incentiveDays[r.stage]) problems.push(`${date} ${r.listingId}: incentive of ${days} days`);
        if (r.status === 'expired' && (r.endedOn !== r.expiresOn || r.expiresOn > date)) problems.push(`${date} ${r.listingId}: expired on ${r.endedOn}`);
        if (r.status !== 'active' && r.status !== 'expired' && r.endedOn !== date) problems.push(`${date} ${r.listingId}: ${r.status} on ${r.endedOn}`);
        incentives.set(`${r.listingId}|${r.grantedOn}`, r);
      }
    }
    // every listing's stage changes only with a record of the day, and at most one incentive is active
    const active = new Map<string, number>();
    for (const r of incentives.values()) if (r.status === 'active') active.set(r.listingId, (active.get(r.listingId) ?? 0) + 1);
    for (const [listingId, n] of active) if (n > 1) problems.push(`${date} ${listingId}: ${n} active incentives`);
    for (const r of incentives.values()) {
      if (r.status === 'active' && r.expiresOn <= date) problems.push(`${date} ${r.listingId}: active past its expiry ${r.expiresOn}`);
      // an incentive outlives a fall in stage, not a delisting
      if (r.status === 'active' && stages.get(r.listingId)?.stage === 'delisted')
        problems.push(`${date} ${r.listingId}: active incentive of a delisted listing`);
    }
  };

  it('keeps its invariants every day, and goes through every stage and incentive status', () => {
    for (let k = 0; k < days; k++) runDay(addDays(first, k));
    expect(problems.slice(0, 10)).toEqual([]);
    expect([...seen.stages].sort()).toEqual(['delisted', 'dormant', 'hot', 'newPotential', 'standard', 'superHot']);
    expect([...seen.statuses].sort()).toEqual(expect.arrayContaining(['active', 'expired', 'superseded']));
    // change-only: most days most listings keep their record
    expect(seen.kept).toBeGreaterThan(seen.written);
    expect(epochDay(addDays(first, days - 1)) - epochDay(first)).toBe(days - 1);
  });
});
