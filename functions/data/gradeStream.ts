import type { ListingRecord } from '../../lib/listingRecords';
import type { GradeRecord } from '../../lib/records';
import type { Item } from './batch';
import { isPackItem, recordsOfPack } from './dailyScorePacks';
import { canonicalRecordOfItem, gradeSortKey, serialize } from './gradesRepository';
import { isListingItem, listingRecordOfItem, listingSortKey, serializeListing } from './listingRecordsRepository';

type StreamRecord = GradeRecord | ListingRecord;

/** One record's change, as a consumer of the grades stream sees it. */
interface RecordChange {
  /** `<sellerId>|<sort key>`: `|status`, `|dailyScore#<date>`, `|listingStage#<listingId>`, … */
  key: string;
  oldRecord: StreamRecord | null;
  newRecord: StreamRecord | null;
}

/**
 * The sort keys of the items whose changes become events (lib/gradeEvents.ts): the exact keys of
 * a seller's current records, and the prefixes of its listings' records. The stream consumer's
 * filter (infra/constructs/changeEvents.ts) and the local event tap both match on these.
 */
const EVENT_SORT_KEYS = ['status', 'goodSellerGrant', 'healthCheck'] as const;
const EVENT_SORT_KEY_PREFIXES = ['listingStage#', 'listingIncentive#'] as const;

const isEventSortKey = (sk: string) => (EVENT_SORT_KEYS as readonly string[]).includes(sk) || EVENT_SORT_KEY_PREFIXES.some((p) => sk.startsWith(p));

/** The grade records a grades item holds, in schema order: one, or a daily-score pack's records (docs/data-model.md); none in a listing's item. */
function recordsOfGradeItem(item: Item): GradeRecord[] {
  if (isListingItem(item)) return [];
  return isPackItem(item) ? recordsOfPack(item) : [canonicalRecordOfItem(item)];
}

/** Every record a grades item holds: its grade records, or the listing record of a listing's item. */
function recordsOfStreamItem(item: Item): StreamRecord[] {
  return isListingItem(item) ? [listingRecordOfItem(item)] : recordsOfGradeItem(item);
}

const isListing = (r: StreamRecord): r is ListingRecord => r.kind === 'listingStage' || r.kind === 'listingIncentive';
const keyOf = (r: StreamRecord) => `${r.sellerId}|${isListing(r) ? listingSortKey(r) : gradeSortKey(r)}`;
const hashOf = (r: StreamRecord) => (isListing(r) ? serializeListing(r).hash : serialize(r).hash);

/**
 * The record changes of one stream event (unmarshalled old and new images): every record whose
 * content differs, runId aside. A daily-score pack rewritten for one seller yields that seller's
 * change only.
 */
function recordChanges(oldImage: Item | undefined, newImage: Item | undefined): RecordChange[] {
  const before = new Map((oldImage ? recordsOfStreamItem(oldImage) : []).map((r) => [keyOf(r), r]));
  const after = new Map((newImage ? recordsOfStreamItem(newImage) : []).map((r) => [keyOf(r), r]));
  const changes: RecordChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [oldRecord, newRecord] = [before.get(key) ?? null, after.get(key) ?? null];
    if (oldRecord && newRecord && hashOf(oldRecord) === hashOf(newRecord)) continue;
    changes.push({ key, oldRecord, newRecord });
  }
  return changes;
}

export { EVENT_SORT_KEY_PREFIXES, EVENT_SORT_KEYS, isEventSortKey, recordChanges, recordsOfGradeItem, recordsOfStreamItem };
export type { RecordChange, StreamRecord };
