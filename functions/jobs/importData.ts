import { businessDateOf } from '../../lib/calendar';
import { grantOfRecord } from '../../lib/goodSeller';
import { InputBoundary } from '../../lib/inputBoundary';
import { ID_PATTERN } from '../../lib/inputs';
import { grantRecord } from '../../lib/jobs';
import { inputLine } from '../../lib/jsonLines';
import { OrderFeed, recordedKey } from '../../lib/orderFeed';
import type { QuarantineRecord } from '../../lib/records';
import type { Policy } from '../../lib/policy';
import { validateRecord } from '../../lib/records';
import { mapLimit } from '../data/batch';
import { ComplianceRepository, type SellerCompliance } from '../data/complianceRepository';
import { GradesRepository } from '../data/gradesRepository';
import { QuarantineRepository } from '../data/quarantineRepository';
import { ReferenceRepository, type StoredSeller } from '../data/referenceRepository';
import type { Store } from '../data/store';
import { DAILY_SCORE_PACK_SIZE, METRIC_BLOCK_SIZE } from '../data/tables';
import { MetricSpill } from './metricSpill';
import { assignListingBlocks, ListingsRepository } from '../data/listingsRepository';
import { LISTING_FIELDS, type ListingValues } from '../../lib/listings';
import { rebuildBlock } from './rebuildBlock';
import { foldPendingOrders, settleSeconds, storeOrderFeed, withOrdersLock, type OrderIngestSummary } from './orders';

interface ImportInput {
  categories?: unknown[];
  sellers?: unknown[];
  metrics?: Iterable<unknown> | AsyncIterable<unknown>;
  grants?: unknown[];
  /** the order feed and appeal decisions (SPEC §3.4) */
  orders?: Iterable<unknown> | AsyncIterable<unknown>;
  exclusions?: Iterable<unknown> | AsyncIterable<unknown>;
  /** compliance inputs (SPEC §7.5) */
  exposure?: Iterable<unknown>;
  registrations?: Iterable<unknown>;
  /** listings and their daily rows (SPEC §3.5) */
  listings?: Iterable<unknown>;
  listingMetrics?: Iterable<unknown> | AsyncIterable<unknown>;
}

interface ImportSummary {
  categories: number;
  sellers: number;
  metricRows: number;
  blocksWritten: number;
  grants: number;
  /** sellers whose compliance inputs changed */
  compliance: number;
  quarantined: number;
  /** listings added or updated, and their valid daily rows */
  listings: number;
  listingRows: number;
  /** what the order feed changed, when the import carried one */
  orders: (OrderIngestSummary & { sellerDaysFolded: number }) | null;
}

/**
 * Gives each new seller a slot in a metric block and a place in a daily-score pack; known sellers
 * keep theirs. Blocks fill up to METRIC_BLOCK_SIZE sellers of any categories (`block-<n>`), so a
 * job reads few, large block items; packs hold up to as many sellers of one category
 * (`<categoryId>#<n>`), so that each pack is written by the one shard that evaluates its category.
 */
function assignBlocks(existing: StoredSeller[], incoming: Omit<StoredSeller, 'block' | 'slot' | 'pack'>[]): StoredSeller[] {
  const byId = new Map(existing.map((s) => [s.sellerId, s]));
  const blockFill = new Map<string, number>();
  const packFill = new Map<string, number>();
  for (const s of existing) {
    blockFill.set(s.block, Math.max(blockFill.get(s.block) ?? 0, s.slot + 1));
    packFill.set(s.pack, (packFill.get(s.pack) ?? 0) + 1);
  }
  // blocks are named `block-<n>`; those of one category (`<categoryId>#<n>`) come from an earlier
  // naming and are not refilled
  let lastBlock = Math.max(-1, ...[...blockFill.keys()].filter((b) => /^block-\d+$/.test(b)).map((b) => Number(b.slice(6))));
  const lastPack = new Map<string, number>();
  for (const pack of packFill.keys()) {
    const [category, n] = [pack.slice(0, pack.lastIndexOf('#')), Number(pack.slice(pack.lastIndexOf('#') + 1))];
    lastPack.set(category, Math.max(lastPack.get(category) ?? 0, n));
  }
  const nameBlock = (n: number) => `block-${String(n).padStart(4, '0')}`;
  const namePack = (category: string, n: number) => `${category}#${String(n).padStart(3, '0')}`;
  return incoming.map((s) => {
    const known = byId.get(s.sellerId);
    // a seller that moved category keeps its metrics and joins a pack of its new category
    if (known && known.categoryId === s.categoryId) return { ...s, block: known.block, slot: known.slot, pack: known.pack };
    let place: Pick<StoredSeller, 'block' | 'slot'>;
    if (known) place = { block: known.block, slot: known.slot };
    else {
      if (lastBlock < 0 || (blockFill.get(nameBlock(lastBlock)) ?? 0) >= METRIC_BLOCK_SIZE) lastBlock++;
      place = { block: nameBlock(lastBlock), slot: blockFill.get(nameBlock(lastBlock)) ?? 0 };
      blockFill.set(place.block, place.slot + 1);
    }
    let n = lastPack.get(s.categoryId) ?? 0;
    if ((packFill.get(namePack(s.categoryId, n)) ?? 0) >= DAILY_SCORE_PACK_SIZE) n++;
    lastPack.set(s.categoryId, n);
    const pack = namePack(s.categoryId, n);
    packFill.set(pack, (packFill.get(pack) ?? 0) + 1);
    const stored = { ...s, ...place, pack };
    byId.set(s.sellerId, stored);
    return stored;
  });
}

/**
 * Imports reference data, metric rows and grants through the input boundary (SPEC §3.3): every
 * line is checked before anything is written, invalid ones are quarantined with their reason, and
 * valid metric rows are folded into the cumulative blocks. `now` gives the ingestion date.
 */
async function importData(
  store: Store,
  input: ImportInput,
  options: { policy: Policy; importId: string; now: string; onRows?: (n: number) => void },
): Promise<ImportSummary> {
  const reference = new ReferenceRepository(store);
  const grades = new GradesRepository(store);
  const summary: ImportSummary = {
    categories: 0,
    sellers: 0,
    metricRows: 0,
    blocksWritten: 0,
    grants: 0,
    compliance: 0,
    quarantined: 0,
    listings: 0,
    listingRows: 0,
    orders: null,
  };
  const withListings = input.listings !== undefined || input.listingMetrics !== undefined;
  const listingStore = new ListingsRepository(store);
  const storedListings = withListings ? await listingStore.all() : [];
  const [storedCategories, existing] = await Promise.all([reference.categories(), reference.sellers()]);
  const grantLines = (input.grants ?? []).map(inputLine);
  const grantSellers = new Set(grantLines.map((l) => ('value' in l ? (l.value as { sellerId?: unknown } | null)?.sellerId : null)));
  const storedGrants = (
    await grades.getMany(
      [...grantSellers].filter((id) => typeof id === 'string' && ID_PATTERN.test(id)).map((id) => ({ sellerId: id as string, sk: 'goodSellerGrant' })),
    )
  ).flatMap((r) => (r.kind === 'goodSellerGrant' ? [grantOfRecord(r)] : []));
  const ingestedOn = businessDateOf(options.now, options.policy.timeZone);
  const boundary = new InputBoundary(
    { policy: options.policy, ingestedOn },
    { categories: storedCategories, sellers: existing, grants: storedGrants, listings: storedListings },
  );

  const newCategories = (input.categories ?? []).flatMap((raw) => boundary.category(inputLine(raw)) ?? []);
  const incoming = (input.sellers ?? []).flatMap((raw) => boundary.seller(inputLine(raw))?.profile ?? []);
  const stored = assignBlocks(existing, incoming);
  const sellers = new Map<string, StoredSeller>([...existing, ...stored].map((s) => [s.sellerId, s]));

  const acceptedListings = [...(input.listings ?? [])].flatMap((raw) => boundary.listing(inputLine(raw)) ?? []);
  const touchedListings = assignListingBlocks(storedListings, acceptedListings);
  const listingPlace = new Map([...storedListings, ...touchedListings].map((l) => [l.listingId, l]));
  const listingSlots = new Map<string, number>();
  for (const l of listingPlace.values()) listingSlots.set(l.block, Math.max(listingSlots.get(l.block) ?? 0, l.slot + 1));

  // valid metric rows wait on disk, not in memory, until every line is judged
  const spill = new MetricSpill();
  const listingSpill = new MetricSpill<ListingValues>(LISTING_FIELDS);
  try {
    for await (const raw of input.metrics ?? []) {
      options.onRows?.(1);
      const row = boundary.metric(inputLine(raw));
      if (!row) continue;
      const seller = sellers.get(row.sellerId)!;
      spill.add(seller.block, seller.slot, row);
      summary.metricRows++;
    }
    for await (const raw of input.listingMetrics ?? []) {
      options.onRows?.(1);
      const row = boundary.listingMetric(inputLine(raw));
      if (!row) continue;
      const place = listingPlace.get(row.listingId)!;
      listingSpill.add(place.block, place.slot, row);
      summary.listingRows++;
    }
    const grantRecords = grantLines.flatMap((line) => {
      const g = boundary.grant(line);
      if (!g) return [];
      const asOf = g.revokedOn && g.revokedOn > g.approvedOn ? g.revokedOn : g.approvedOn;
      return [validateRecord(grantRecord(g, sellers.get(g.sellerId)!.categoryId, asOf, options.policy, options.importId))];
    });

    const feed = input.orders || input.exclusions ? new OrderFeed(boundary) : null;
    if (feed) {
      for await (const raw of input.orders ?? []) {
        options.onRows?.(1);
        feed.addOutcome(inputLine(raw));
      }
      let index = 0;
      for await (const raw of input.exclusions ?? []) {
        const line = inputLine(raw);
        feed.addDecision(line, recordedKey(options.now, line.line, index++));
      }
    }

    const compliance = new Map<string, Partial<SellerCompliance>>();
    const rowsOf = (sellerId: string) => compliance.get(sellerId) ?? compliance.set(sellerId, {}).get(sellerId)!;
    for (const raw of input.exposure ?? []) {
      const e = boundary.exposure(inputLine(raw));
      if (e) (rowsOf(e.sellerId).exposure ??= []).push(e);
    }
    for (const raw of input.registrations ?? []) {
      const r = boundary.registration(inputLine(raw));
      if (r) (rowsOf(r.sellerId).registrations ??= []).push(r);
    }

    // every line is judged: only now is anything written, the quarantine first (SPEC §3.3), so that a
    // line that cannot be stored fails the import before any valid line of it is
    const quarantine = new QuarantineRepository(store);
    let quarantineWritten = 0;
    const writeQuarantine = async () => {
      const fresh = boundary.quarantined.slice(quarantineWritten);
      quarantineWritten = boundary.quarantined.length;
      await quarantine.put(fresh, options.importId, options.now, (date) => date >= options.policy.data.earliestDate && date <= ingestedOn);
    };
    await writeQuarantine();
    await reference.putCategories(newCategories);
    summary.categories = newCategories.length;
    await reference.putSellers(stored);
    summary.sellers = stored.length;
    const slotsOf = new Map<string, number>();
    for (const s of sellers.values()) slotsOf.set(s.block, Math.max(slotsOf.get(s.block) ?? 0, s.slot + 1));
    const written = await mapLimit(spill.blocks(), 4, (block) => rebuildBlock(store, block, slotsOf.get(block)!, spill.rows(block)));
    summary.blocksWritten = written.reduce((a, b) => a + b, 0);
    if (touchedListings.length > 0) await listingStore.putBlocks(touchedListings);
    summary.listings = acceptedListings.length;
    const listingDays = await mapLimit(listingSpill.blocks(), 4, (block) =>
      rebuildBlock(store, block, listingSlots.get(block)!, listingSpill.rows(block), LISTING_FIELDS, { presence: true }),
    );
    summary.blocksWritten += listingDays.reduce((a, b) => a + b, 0);
    summary.grants = (await grades.writeChanged(grantRecords, { now: options.now })).written;
    if (compliance.size > 0) summary.compliance = await new ComplianceRepository(store).merge(compliance);

    if (feed) {
      const quarantined = (r: QuarantineRecord) => boundary.quarantined.push(r);
      summary.orders = await withOrdersLock(store, `import:${options.importId}:${options.now}`, async () => {
        const stored = await storeOrderFeed(store, feed, options.now, quarantined, writeQuarantine);
        const folded = await foldPendingOrders(store, { now: options.now, settleSeconds: settleSeconds() });
        return { ...stored, sellerDaysFolded: folded.sellerDays };
      });
    }
    await reference.bumpRevision();
    summary.quarantined = boundary.quarantined.length;
    return summary;
  } finally {
    spill.close();
    listingSpill.close();
  }
}

export { assignBlocks, importData };
export type { ImportInput, ImportSummary };
