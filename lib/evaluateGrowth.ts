import { growthRecords, growthWindow, type GrowthInForce, type GrowthListing } from './growth';
import { earlierRecord, InputBoundary } from './inputBoundary';
import { inputLine } from './jsonLines';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from './listingRecords';
import { LISTING_FIELD_COUNT, LISTING_FIELDS } from './listings';
import type { Policy } from './policy';
import type { QuarantineRecord } from './records';

/** The inputs of an offline growth run (SPEC §3.5): reference rows, listings, and earlier records. */
interface GrowthReferenceData {
  categories: Iterable<unknown>;
  sellers: Iterable<unknown>;
  listings: Iterable<unknown>;
  /** earlier records: the listing records in force before D are read from them */
  grades?: Iterable<unknown>;
  /** the business date the rows are read on: later-dated rows are invalid (SPEC §3.3); no bound when absent */
  ingestedOn?: string;
}

interface PreparedGrowth {
  listings: GrowthListing[];
  /** folds one listing row into the window; returns its quarantine record when invalid */
  addListingRow(raw: unknown): void;
  quarantine(): QuarantineRecord[];
  records(): Generator<ListingRecord>;
}

/**
 * The stage and incentives of each listing as they stood before D (SPEC §7.6), from earlier
 * records in any order: the latest stage dated before D, and the incentives granted before D that
 * had not ended before D (a version written on D or later reads as the incentive still active).
 */
function inForceBefore(date: string, earlier: Iterable<ListingRecord>): Map<string, GrowthInForce> {
  const stages = new Map<string, ListingStageRecord>();
  const incentives = new Map<string, ListingIncentiveRecord>();
  const closed = new Set<string>();
  for (const r of earlier) {
    if (r.kind === 'listingStage') {
      if (r.asOf >= date) continue;
      const was = stages.get(r.listingId);
      if (!was || r.asOf > was.asOf) stages.set(r.listingId, r);
    } else if (r.grantedOn < date) {
      const key = `${r.listingId}|${r.grantedOn}`;
      if (r.endedOn !== null && r.endedOn < date) closed.add(key);
      else if (!incentives.has(key) || r.status === 'active') incentives.set(key, r);
    }
  }
  const out = new Map<string, GrowthInForce>();
  const of = (listingId: string) => out.get(listingId) ?? out.set(listingId, { stage: null, incentives: [] }).get(listingId)!;
  for (const [listingId, stage] of stages) of(listingId).stage = stage;
  for (const [key, r] of incentives) if (!closed.has(key)) (of(r.listingId).incentives as ListingIncentiveRecord[]).push(r);
  return out;
}

/**
 * Prepares the growth job of date D offline: validates categories, sellers and listings through
 * the input boundary, reads the state in force from earlier records, and sums each listing's rows
 * over the window D-30..D-1.
 */
function prepareGrowth(date: string, data: GrowthReferenceData, policy: Policy, runId: string, wanted?: (listing: GrowthListing) => boolean): PreparedGrowth {
  const boundary = new InputBoundary({ policy, ingestedOn: data.ingestedOn ?? '9999-12-31' });
  const parentOf = new Map<string, string>();
  for (const raw of data.categories) {
    const c = boundary.category(inputLine(raw));
    if (c) parentOf.set(c.categoryId, c.parentId);
  }
  for (const raw of data.sellers) boundary.seller(inputLine(raw));
  const listings: GrowthListing[] = [];
  const indexOf = new Map<string, number>();
  for (const raw of data.listings) {
    const l = boundary.listing(inputLine(raw));
    if (!l) continue;
    indexOf.set(l.listingId, listings.length);
    listings.push({
      listingId: l.listingId,
      sellerId: l.sellerId,
      categoryId: l.categoryId,
      parentId: parentOf.get(l.categoryId) ?? l.categoryId,
      listedOn: l.listedOn,
      delistedOn: l.delistedOn ?? null,
    });
  }
  const earlier: ListingRecord[] = [];
  for (const raw of data.grades ?? []) {
    const r = earlierRecord(boundary, inputLine(raw));
    if (r && (r.kind === 'listingStage' || r.kind === 'listingIncentive')) earlier.push(r as unknown as ListingRecord);
  }
  const inForce = inForceBefore(date, earlier);
  const window = growthWindow(date);
  const inWindow = (d: string) => d >= window.start && d <= window.end;
  const sums = new Float64Array(listings.length * LISTING_FIELD_COUNT);
  const none: GrowthInForce = { stage: null, incentives: [] };
  return {
    listings,
    addListingRow(raw) {
      const row = boundary.listingMetric(inputLine(raw), inWindow);
      if (!row) return;
      const at = indexOf.get(row.listingId)! * LISTING_FIELD_COUNT;
      for (let f = 0; f < LISTING_FIELD_COUNT; f++) sums[at + f]! += row[LISTING_FIELDS[f]!];
    },
    quarantine: () => boundary.quarantined,
    records: () =>
      growthRecords({
        date,
        listings,
        sums,
        policy,
        runId,
        inForce: (i) => inForce.get(listings[i]!.listingId) ?? none,
        wanted: wanted ? (i) => wanted(listings[i]!) : undefined,
      }),
  };
}

export { inForceBefore, prepareGrowth };
export type { GrowthReferenceData, PreparedGrowth };
