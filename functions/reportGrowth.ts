import { batchGet, chunks } from './data/batch';
import { GrowthStates } from './data/growthStates';
import { listingRecordOfItem } from './data/listingRecordsRepository';
import { ListingsRepository } from './data/listingsRepository';
import type { RunRecord } from './data/runsRepository';
import type { Store } from './data/store';
import type { StageVersion } from '../lib/growthReport';
import type { ListingIncentiveRecord } from '../lib/listingRecords';

/** Listing blocks read at a time: their references (one BatchGetItem) and their states (one query each). */
const BLOCKS_AT_ONCE = 100;

/** The latest date a growth run wrote current records for, up to the end of `month` when given. */
function latestGrowthDate(runs: RunRecord[], month: string | undefined): string | undefined {
  return runs
    .filter((r) => r.job === 'growth' && r.status === 'succeeded' && !r.dryRun && (month === undefined || r.period.slice(0, 7) <= month))
    .map((r) => r.period)
    .sort()
    .at(-1);
}

/**
 * Feeds the report's growth tally from the tables on growth date D without reading the listings'
 * records one by one: per listing block, its reference item (seller and category of each slot)
 * and one query of the growth job's states (docs/data-model.md) — the state after D gives each
 * listing's stage in force and its active incentives, the state before D the stage a listing
 * that moved on D came from and the incentives that ended on D, whose records are then read by
 * key (BatchGetItem). Memory holds the tally and BLOCKS_AT_ONCE blocks.
 */
async function tallyGrowthOfStore(store: Store, date: string, add: (r: StageVersion | ListingIncentiveRecord) => void): Promise<void> {
  const listings = new ListingsRepository(store);
  const states = new GrowthStates(store);
  for (const blocks of chunks(await listings.blocks(), BLOCKS_AT_ONCE)) {
    const [members, around] = await Promise.all([listings.ofBlocks(blocks), states.around(blocks, date)]);
    const ended: { sellerId: string; sk: string }[] = [];
    for (const l of members) {
      const { on, before } = around.get(l.block) ?? { on: null, before: null };
      const now = (on ?? before)?.listings[l.listingId];
      const was = on ? before?.listings[l.listingId] : undefined;
      const version = (s: NonNullable<NonNullable<typeof now>['stage']>): StageVersion => ({
        kind: 'listingStage',
        listingId: l.listingId,
        sellerId: l.sellerId,
        categoryId: l.categoryId,
        stage: s.stage,
        since: s.since,
        asOf: s.asOf,
      });
      if (now?.stage) {
        if (was?.stage && now.stage.since === date && now.stage.asOf === date) add(version(was.stage));
        add(version(now.stage));
      }
      for (const r of now?.incentives ?? []) add(r);
      const active = new Set((now?.incentives ?? []).map((r) => r.grantedOn));
      for (const r of was?.incentives ?? [])
        if (!active.has(r.grantedOn)) ended.push({ sellerId: r.sellerId, sk: `listingIncentive#${r.listingId}#${r.grantedOn}` });
    }
    for (const item of await batchGet(store.doc, store.tables.grades, ended, store.stats)) add(listingRecordOfItem(item) as ListingIncentiveRecord);
  }
}

export { latestGrowthDate, tallyGrowthOfStore };
