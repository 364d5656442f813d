import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { gradeRecordSchema, validateRecord, type GoodSellerGrantRecord, type GradeKind, type GradeRecord, type StatusRecord } from '../../lib/records';
import { batchGet, batchPut, mapLimit, type Item } from './batch';
import { earlierRecordSchema, type EarlierRecord } from '../../lib/inputBoundary';
import { queryAll } from './query';
import type { Store } from './store';
import type { ListingRecord } from '../../lib/listingRecords';
import { isListingItem, listingRecordOfItem } from './listingRecordsRepository';
import { GRADES_LOOKUP_INDEX } from './tables';

/** The sort key of a record: its kind and period (SPEC §8.1). */
function gradeSortKey(record: GradeRecord): string {
  switch (record.kind) {
    case 'dailyScore':
      return `dailyScore#${record.date}`;
    case 'operationTier':
    case 'serviceLevel':
      return `${record.kind}#${record.period}`;
    case 'merchantAssessment':
      return `merchantAssessment#${record.quarter}`;
    case 'goodSellerGrant':
    case 'status':
    case 'healthCheck':
      return record.kind;
  }
}

/** The period a record is for: its date, month or quarter; null for grants and status. */
function periodOf(record: GradeRecord): string | null {
  switch (record.kind) {
    case 'dailyScore':
      return record.date;
    case 'operationTier':
    case 'serviceLevel':
      return record.period;
    case 'merchantAssessment':
      return record.quarter;
    default:
      return null;
  }
}

/**
 * The record's JSON and its content hash: runId aside, and a status's asOf aside (SPEC §8.1
 * change-only writes). Records are built field by field in a fixed order, so equal content gives
 * equal text.
 */
function serialize(record: GradeRecord): { json: string; hash: string } {
  const done = serialized.get(record);
  if (done) return done;
  const json = JSON.stringify(record);
  // drop runId (and a status's asOf) from the text rather than stringify twice: this is a hot path
  let content = json.replace(`"runId":${JSON.stringify(record.runId)}`, '');
  if (record.kind === 'status' || record.kind === 'healthCheck') content = content.replace(`"asOf":${JSON.stringify(record.asOf)}`, '');
  const out = { json, hash: createHash('sha256').update(content).digest('base64url').slice(0, 32) };
  serialized.set(record, out);
  return out;
}

/** Records are not changed once built: each is serialized and hashed once, however many checks ask. */
const serialized = new WeakMap<GradeRecord, { json: string; hash: string }>();

function contentHash(record: GradeRecord): string {
  return serialize(record).hash;
}

/**
 * The stored item: the whole record as JSON in `record` (one attribute: nested maps cost DynamoDB
 * Local ~2x per write, see data-model.md), its scalar keys beside it for filters, and the sparse
 * lookup-index keys.
 */
function gradeItem(record: GradeRecord, serialized: { json: string; hash: string }, writtenAt: string): Item {
  const item: Item = {
    sellerId: record.sellerId,
    sk: gradeSortKey(record),
    kind: record.kind,
    categoryId: record.categoryId,
    period: periodOf(record),
    policyVersion: record.policyVersion,
    runId: record.runId,
    contentHash: serialized.hash,
    writtenAt,
    record: serialized.json,
  };
  if (record.kind === 'dailyScore') item.expiresAt = record.expiresAt;
  if (record.kind === 'operationTier' || record.kind === 'serviceLevel' || record.kind === 'merchantAssessment') {
    item.lookupPk = `${record.kind}#${periodOf(record)}#${record.categoryId}`;
    item.lookupSk = record.sellerId;
  }
  if (record.kind === 'status') {
    item.lookupPk = `status#${record.categoryId}`;
    item.lookupSk = record.sellerId;
  }
  if (record.kind === 'goodSellerGrant' && (record.status === 'active' || record.status === 'pending')) {
    item.lookupPk = 'activeGrant';
    item.lookupSk = `${record.expiresOn}#${record.sellerId}`;
  }
  return item;
}

/**
 * A stored item back to its record, checked against the schema and kept as stored: parsed, its
 * keys would come back in schema order, and a record built from it (a finding carried forward, a
 * grade in force) would hash differently from an equal one built fresh, and be written again.
 */
function recordOfItem(item: Item): GradeRecord {
  const raw: unknown = JSON.parse(storedText(item));
  // an earlier run's record given to `grader score` holds what SPEC §10 requires, maybe no more
  if (item.earlier === true) earlierRecordSchema.parse(raw);
  else gradeRecordSchema.parse(raw);
  // validated above; kept as stored, key order included
  return raw as GradeRecord;
}

/**
 * Stores records of earlier runs as `grader score` is given them (SPEC §10 shapes, checked by the
 * input boundary), marked as such: the run that follows reads them as its grades in force.
 */
function earlierItem(record: EarlierRecord & { categoryId: string }, writtenAt: string): Item {
  const json = JSON.stringify(record);
  const full = { policyVersion: '', runId: '', ...record } as unknown as GradeRecord;
  return { ...gradeItem(full, { json, hash: createHash('sha256').update(json).digest('base64url').slice(0, 32) }, writtenAt), earlier: true };
}

/** A stored item's record in schema order: two items compare by content, whatever order each was written in. */
function canonicalRecordOfItem(item: Item): GradeRecord {
  return gradeRecordSchema.parse(JSON.parse(storedText(item)));
}

function storedText(item: Item): string {
  if (typeof item.record !== 'string') throw new Error(`grades item ${String(item.sellerId)} ${String(item.sk)} has no record`);
  return item.record;
}

/** What is stored under a record's key: its content hash and the run that wrote it ('' for both when nothing is). */
interface StoredVersion {
  hash: string;
  runId: string;
}

interface WriteOutcome {
  written: number;
  unchanged: number;
  /** the records that changed (written, or that a dry run would write) */
  changed: GradeRecord[];
  /** equal records an earlier attempt of the same run wrote: counted as written by this run */
  earlier: GradeRecord[];
}

/** Grade records on the grades table: change-only writes, reads by key, period and grant expiry. */
class GradesRepository {
  constructor(private readonly store: Store) {}

  private get table() {
    return this.store.tables.grades;
  }

  /**
   * Writes only the records whose content differs from what is stored. `knownAbsent` skips the
   * read for records that cannot exist yet (a period never evaluated before), `knownStored` for
   * records whose stored version the caller has already read. An equal record an earlier attempt
   * of the same run wrote counts as written, so that a resumed run counts what a clean one would.
   */
  async writeChanged(
    records: GradeRecord[],
    options: { dryRun?: boolean; knownAbsent?: (r: GradeRecord) => boolean; knownStored?: ReadonlyMap<string, StoredVersion>; now: string },
  ): Promise<WriteOutcome> {
    const serialized = records.map(serialize);
    const known = options.knownStored ?? new Map<string, StoredVersion>();
    const toCheck = records.flatMap((r, i) => (options.knownAbsent?.(r) || known.has(`${r.sellerId}|${gradeSortKey(r)}`) ? [] : [i]));
    const stored = new Map<string, StoredVersion>(known);
    if (toCheck.length > 0) {
      const keys = toCheck.map((i) => ({ sellerId: records[i]!.sellerId, sk: gradeSortKey(records[i]!) }));
      for (const item of await batchGet(this.store.doc, this.table, keys, this.store.stats, { projection: ['sellerId', 'sk', 'contentHash', 'runId'] })) {
        stored.set(`${String(item.sellerId)}|${String(item.sk)}`, { hash: String(item.contentHash), runId: String(item.runId) });
      }
    }
    const changed: GradeRecord[] = [];
    const earlier: GradeRecord[] = [];
    const items: Item[] = [];
    records.forEach((r, i) => {
      const was = stored.get(`${r.sellerId}|${gradeSortKey(r)}`);
      if (was?.hash === serialized[i]!.hash) {
        if (was.runId === r.runId) earlier.push(r);
        return;
      }
      changed.push(validateRecord(r));
      items.push(gradeItem(r, serialized[i]!, options.now));
    });
    if (!options.dryRun && items.length > 0) await batchPut(this.store.doc, this.table, items, this.store.stats);
    if (options.dryRun) return { written: 0, unchanged: records.length - changed.length, changed, earlier: [] };
    return { written: changed.length + earlier.length, unchanged: records.length - changed.length - earlier.length, changed, earlier };
  }

  /** Stores earlier runs' records for an offline evaluation (see earlierItem). */
  async putEarlier(records: (EarlierRecord & { categoryId: string })[], now: string): Promise<void> {
    await batchPut(
      this.store.doc,
      this.table,
      records.map((r) => earlierItem(r, now)),
      this.store.stats,
    );
  }

  async get(sellerId: string, sk: string): Promise<GradeRecord | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: { sellerId, sk } }));
    return out.Item ? recordOfItem(out.Item) : null;
  }

  /** Records by (sellerId, sort key); absent ones are simply missing from the result. */
  async getMany(keys: { sellerId: string; sk: string }[]): Promise<GradeRecord[]> {
    return (await this.getManyWithHashes(keys)).map((x) => x.record);
  }

  /** Records with their stored content hashes, keyed `${sellerId}|${sk}`. */
  async getManyWithHashes(keys: { sellerId: string; sk: string }[]): Promise<{ key: string; record: GradeRecord; hash: string }[]> {
    if (keys.length === 0) return [];
    return (await batchGet(this.store.doc, this.table, keys, this.store.stats)).map((item) => ({
      key: `${String(item.sellerId)}|${String(item.sk)}`,
      record: recordOfItem(item),
      hash: String(item.contentHash),
    }));
  }

  /** Every record of a seller, optionally only one kind. */
  async listSeller(sellerId: string, kind?: GradeKind): Promise<GradeRecord[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      KeyConditionExpression: kind ? 'sellerId = :s AND begins_with(sk, :k)' : 'sellerId = :s',
      ExpressionAttributeValues: kind ? { ':s': sellerId, ':k': kind } : { ':s': sellerId },
    });
    // a seller's partition also holds its listings' records (functions/data/listingRecordsRepository.ts)
    return items.filter((i) => !isListingItem(i)).map(recordOfItem);
  }

  /** Everything a seller's partition holds, read with one query: its grade records and its listings' records. */
  async partition(sellerId: string): Promise<{ records: GradeRecord[]; listings: ListingRecord[] }> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      KeyConditionExpression: 'sellerId = :s',
      ExpressionAttributeValues: { ':s': sellerId },
    });
    const records: GradeRecord[] = [];
    const listings: ListingRecord[] = [];
    for (const i of items) {
      if (isListingItem(i)) listings.push(listingRecordOfItem(i));
      else records.push(recordOfItem(i));
    }
    return { records, listings };
  }

  /** A period's records of one kind and category, through the sparse period index. */
  async listPeriod(kind: 'operationTier' | 'serviceLevel' | 'merchantAssessment', period: string, categoryId: string): Promise<GradeRecord[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      IndexName: GRADES_LOOKUP_INDEX,
      KeyConditionExpression: 'lookupPk = :p',
      ExpressionAttributeValues: { ':p': `${kind}#${period}#${categoryId}` },
    });
    return items.map(recordOfItem);
  }

  /** A period's records of one kind in several categories, through the period index. */
  async listPeriodIn(kind: 'operationTier' | 'serviceLevel' | 'merchantAssessment', period: string, categoryIds: string[]): Promise<GradeRecord[]> {
    return (await mapLimit(categoryIds, 8, (categoryId) => this.listPeriod(kind, period, categoryId))).flat();
  }

  /**
   * The statuses filed under some categories, with their content hashes, through the sparse lookup
   * index: a range read, ~2.5x cheaper than reading them by key. The index is eventually
   * consistent in AWS (docs/data-model.md); operator actions read statuses by key.
   */
  async statusesOf(categoryIds: string[]): Promise<{ record: StatusRecord; hash: string }[]> {
    const pages = await mapLimit(categoryIds, 8, (categoryId) =>
      queryAll(this.store.doc, {
        TableName: this.table,
        IndexName: GRADES_LOOKUP_INDEX,
        KeyConditionExpression: 'lookupPk = :p',
        ExpressionAttributeValues: { ':p': `status#${categoryId}` },
      }),
    );
    return pages.flat().flatMap((item) => {
      const record = recordOfItem(item);
      return record.kind === 'status' ? [{ record, hash: String(item.contentHash) }] : [];
    });
  }

  /** Grants still active or pending, with their content hashes, through the sparse lookup index (sorted by expiry). */
  async activeGrants(): Promise<{ record: GoodSellerGrantRecord; hash: string }[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      IndexName: GRADES_LOOKUP_INDEX,
      KeyConditionExpression: 'lookupPk = :g',
      ExpressionAttributeValues: { ':g': 'activeGrant' },
    });
    return items.flatMap((item) => {
      const record = recordOfItem(item);
      return record.kind === 'goodSellerGrant' ? [{ record, hash: String(item.contentHash) }] : [];
    });
  }
}

export { GradesRepository, canonicalRecordOfItem, contentHash, gradeItem, gradeSortKey, recordOfItem, serialize };
export type { StoredVersion, WriteOutcome };
