import { LISTING_FIELDS, type Listing, type ListingMetricRow, type ListingValues } from '../../lib/listings';
import type { QuarantineRecord } from '../../lib/records';
import { shown } from '../../lib/shown';
import { mapLimit } from '../data/batch';
import { withLease } from '../data/lease';
import { assignListingBlocks, ListingsRepository, type StoredListing } from '../data/listingsRepository';
import { MetricsRepository } from '../data/metricsRepository';
import type { Store } from '../data/store';
import { hasRow, rebuildBlock } from './rebuildBlock';

const LEASE_MS = 2 * 60_000;
const WAIT_MS = 60_000;

/**
 * Runs `work` holding the listing feed's lease: two messages never place listings in, or rebuild,
 * the same block at once (a block's reference item and its days are read, then rewritten whole).
 */
async function withListingsLock<T>(store: Store, owner: string, work: () => Promise<T>): Promise<T> {
  const times = { leaseMs: LEASE_MS, waitMs: WAIT_MS, pollMs: () => 100 + Math.random() * 200 };
  const busy = () => new Error('the listing feed lease is held by another writer; the message comes back later');
  return withLease(new ListingsRepository(store).lease(), owner, times, busy, work);
}

/** The stored listings among `ids`, from the copy kept while no writer moved the listings' counter. */
async function storedSpans(store: Store, ids: readonly string[]): Promise<StoredListing[]> {
  const repository = new ListingsRepository(store);
  const wanted = new Set(ids);
  const all = await repository.all(`feed.${(await repository.revision()).listings}`);
  return all.filter((l) => wanted.has(l.listingId));
}

/** Adds or updates listings as grader import does: a known listing keeps its block and slot. */
async function storeListings(store: Store, listings: readonly Listing[], owner: string): Promise<void> {
  await withListingsLock(store, owner, async () => {
    const repository = new ListingsRepository(store);
    const touched = assignListingBlocks(await repository.all(undefined, { consistent: true }), listings);
    if (touched.length > 0) await repository.putBlocks(touched);
  });
}

const repeatReason = (row: ListingMetricRow) =>
  `listing ${shown(row.listingId)}, ${shown(row.date)}: repeats the key (listingId, date) of an earlier row; the first one stands`;

/**
 * Adds daily rows, the first row of a key standing across messages (SPEC §3.5): a row whose key is
 * stored already is quarantined as a repeat, unless it equals the stored row (the same message, or
 * the same line sent again: nothing changes). Repeats are quarantined before any row is written.
 */
async function storeListingRows(
  store: Store,
  rows: readonly ListingMetricRow[],
  owner: string,
  quarantine: (records: QuarantineRecord[]) => Promise<void>,
): Promise<{ stored: number; unchanged: number; repeats: number }> {
  return withListingsLock(store, owner, async () => {
    const repository = new ListingsRepository(store);
    const place = new Map((await repository.all(undefined, { consistent: true })).map((l) => [l.listingId, l]));
    const slots = new Map<string, number>();
    for (const l of place.values()) slots.set(l.block, Math.max(slots.get(l.block) ?? 0, l.slot + 1));
    const keys = new Map<string, { block: string; date: string }>();
    for (const row of rows) {
      const { block } = place.get(row.listingId)!;
      keys.set(`${block}|${row.date}`, { block, date: row.date });
    }
    const days = await new MetricsRepository(store).days([...keys.values()]);
    const fresh = new Map<string, Map<string, [number, ListingValues][]>>();
    const repeats: QuarantineRecord[] = [];
    let unchanged = 0;
    for (const row of rows) {
      const { block, slot } = place.get(row.listingId)!;
      const day = days.get(`${block}|${row.date}`);
      const present = day ? (day.present ?? presentOfOldDay(day.daily, slot)) : undefined;
      if (hasRow(present, slot)) {
        const same = LISTING_FIELDS.every((f, i) => (day!.daily?.[slot * LISTING_FIELDS.length + i] ?? 0) === row[f]);
        if (same) unchanged++;
        else repeats.push({ kind: 'quarantine', source: 'listingMetrics', key: { listingId: row.listingId, date: row.date }, reason: repeatReason(row) });
        continue;
      }
      const byDate = fresh.get(block) ?? fresh.set(block, new Map()).get(block)!;
      (byDate.get(row.date) ?? byDate.set(row.date, []).get(row.date)!).push([slot, row]);
    }
    if (repeats.length > 0) await quarantine(repeats);
    await mapLimit([...fresh], 4, ([block, byDate]) => rebuildBlock(store, block, slots.get(block)!, byDate, LISTING_FIELDS, { presence: true }));
    if (fresh.size > 0) await repository.bumpRevision('rows');
    return { stored: rows.length - unchanged - repeats.length, unchanged, repeats: repeats.length };
  });
}

/** A day stored without a bitmap: a slot has a row when one of its values is not zero. */
function presentOfOldDay(daily: Float64Array | undefined, slot: number): Uint8Array {
  const out = new Uint8Array((slot >> 3) + 1);
  const n = LISTING_FIELDS.length;
  for (let f = 0; f < n; f++) if ((daily?.[slot * n + f] ?? 0) !== 0) out[slot >> 3] = 1 << (slot & 7);
  return out;
}

export { storedSpans, storeListingRows, storeListings, withListingsLock };
