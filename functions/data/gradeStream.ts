import type { GradeRecord } from '../../lib/records';
import type { Item } from './batch';
import { isPackItem, recordsOfPack } from './dailyScorePacks';
import { canonicalRecordOfItem, gradeSortKey, serialize } from './gradesRepository';
import { isListingItem } from './listingRecordsRepository';

/** One record's change, as a consumer of the grades stream sees it. */
interface RecordChange {
  /** `<sellerId>|<kind>#<period>` (or `|status`, `|goodSellerGrant`) */
  key: string;
  oldRecord: GradeRecord | null;
  newRecord: GradeRecord | null;
}

/** The grade records a grades item holds, in schema order: one, or a daily-score pack's records (docs/data-model.md); none in a listing's item. */
function recordsOfGradeItem(item: Item): GradeRecord[] {
  if (isListingItem(item)) return [];
  return isPackItem(item) ? recordsOfPack(item) : [canonicalRecordOfItem(item)];
}

/**
 * The record changes of one stream event (unmarshalled old and new images): every record whose
 * content differs, runId aside. A daily-score pack rewritten for one seller yields that seller's
 * change only.
 */
function recordChanges(oldImage: Item | undefined, newImage: Item | undefined): RecordChange[] {
  const keyOf = (r: GradeRecord) => `${r.sellerId}|${gradeSortKey(r)}`;
  const before = new Map((oldImage ? recordsOfGradeItem(oldImage) : []).map((r) => [keyOf(r), r]));
  const after = new Map((newImage ? recordsOfGradeItem(newImage) : []).map((r) => [keyOf(r), r]));
  const changes: RecordChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [oldRecord, newRecord] = [before.get(key) ?? null, after.get(key) ?? null];
    if (oldRecord && newRecord && serialize(oldRecord).hash === serialize(newRecord).hash) continue;
    changes.push({ key, oldRecord, newRecord });
  }
  return changes;
}

export { recordChanges, recordsOfGradeItem };
export type { RecordChange };
