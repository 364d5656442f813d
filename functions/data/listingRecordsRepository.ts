import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { listingRecordSchema, validateListingRecord, type ListingIncentiveRecord, type ListingRecord, type ListingStageRecord } from '../../lib/listingRecords';
import { batchGet, batchPut, mapLimit, type Item } from './batch';
import { queryAll } from './query';
import type { Store } from './store';

/**
 * The sort key of a listing record in the grades table, under its seller: one current stage per
 * listing, one item per incentive granted (SPEC §7.6, §10).
 */
function listingSortKey(r: ListingRecord): string {
  return r.kind === 'listingStage' ? `listingStage#${r.listingId}` : `listingIncentive#${r.listingId}#${r.grantedOn}`;
}

/** The record's JSON and its content hash, runId aside (SPEC §8.1 change-only writes). */
function serializeListing(r: ListingRecord): { json: string; hash: string } {
  const json = JSON.stringify(r);
  const content = json.replace(`"runId":${JSON.stringify(r.runId)}`, '');
  return { json, hash: createHash('sha256').update(content).digest('base64url').slice(0, 32) };
}

const isListingItem = (item: Item) => item.kind === 'listingStage' || item.kind === 'listingIncentive';

/** A stored listing item back to its record, checked against its schema. */
function listingRecordOfItem(item: Item): ListingRecord {
  return listingRecordSchema.parse(JSON.parse(String(item.record)));
}

interface ListingWriteOutcome {
  written: number;
  unchanged: number;
  /** the records that changed (written, or that a dry run would write) */
  changed: ListingRecord[];
}

/** Listing records on the grades table (its stream is the public feed): change-only writes by content hash. */
class ListingRecordsRepository {
  constructor(private readonly store: Store) {}

  /**
   * Writes the records whose content differs from what is stored. `knownAbsent`: a date no run
   * evaluated before, whose records cannot be stored yet, so none is read first.
   */
  async writeChanged(records: ListingRecord[], options: { dryRun?: boolean; knownAbsent?: boolean; now: string }): Promise<ListingWriteOutcome> {
    const serialized = records.map(serializeListing);
    const stored = new Map<string, string>();
    if (!options.knownAbsent && records.length > 0) {
      const keys = records.map((r) => ({ sellerId: r.sellerId, sk: listingSortKey(r) }));
      for (const item of await batchGet(this.store.doc, this.store.tables.grades, keys, this.store.stats, { projection: ['sellerId', 'sk', 'contentHash'] })) {
        stored.set(`${String(item.sellerId)}|${String(item.sk)}`, String(item.contentHash));
      }
    }
    const changed: ListingRecord[] = [];
    const items: Item[] = [];
    records.forEach((r, i) => {
      const sk = listingSortKey(r);
      const { json, hash } = serialized[i]!;
      if (stored.get(`${r.sellerId}|${sk}`) === hash) return;
      changed.push(validateListingRecord(r));
      items.push({
        sellerId: r.sellerId,
        sk,
        kind: r.kind,
        listingId: r.listingId,
        categoryId: r.categoryId,
        period: r.kind === 'listingStage' ? r.asOf : r.grantedOn,
        policyVersion: r.policyVersion,
        runId: r.runId,
        contentHash: hash,
        writtenAt: options.now,
        record: json,
      });
    });
    if (!options.dryRun && items.length > 0) await batchPut(this.store.doc, this.store.tables.grades, items, this.store.stats);
    return { written: options.dryRun ? 0 : changed.length, unchanged: records.length - changed.length, changed };
  }

  /** The current records of one kind of some sellers: one query per seller. */
  async ofSellers(sellerIds: string[], kind: ListingRecord['kind']): Promise<ListingRecord[]> {
    const pages = await mapLimit(sellerIds, 8, (sellerId) =>
      queryAll(this.store.doc, {
        TableName: this.store.tables.grades,
        KeyConditionExpression: 'sellerId = :s AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':s': sellerId, ':k': `${kind}#` },
      }),
    );
    return pages.flat().map(listingRecordOfItem);
  }

  /**
   * A page of a seller's current stage records in listing id order: one query (sort key prefix
   * `listingStage#`), from the listing after `after`; `next` names the last listing of a full page.
   */
  async stagesPage(sellerId: string, page: { limit: number; after?: string | null }): Promise<{ stages: ListingStageRecord[]; next: string | null }> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tables.grades,
        KeyConditionExpression: 'sellerId = :s AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':s': sellerId, ':k': 'listingStage#' },
        Limit: page.limit,
        ...(page.after ? { ExclusiveStartKey: { sellerId, sk: `listingStage#${page.after}` } } : {}),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const stages = (out.Items ?? []).map((i) => listingRecordOfItem(i) as ListingStageRecord);
    return { stages, next: out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk).slice('listingStage#'.length) : null };
  }

  /** One listing's current stage record (null before its first growth run) and every incentive granted to it. */
  async ofListing(sellerId: string, listingId: string): Promise<{ stage: ListingStageRecord | null; incentives: ListingIncentiveRecord[] }> {
    const [found, incentives] = await Promise.all([
      this.store.doc.send(new GetCommand({ TableName: this.store.tables.grades, Key: { sellerId, sk: `listingStage#${listingId}` } })),
      queryAll(this.store.doc, {
        TableName: this.store.tables.grades,
        KeyConditionExpression: 'sellerId = :s AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':s': sellerId, ':k': `listingIncentive#${listingId}#` },
      }),
    ]);
    return {
      stage: found.Item ? (listingRecordOfItem(found.Item) as ListingStageRecord) : null,
      incentives: incentives.map((i) => listingRecordOfItem(i) as ListingIncentiveRecord),
    };
  }
}

export { ListingRecordsRepository, isListingItem, listingRecordOfItem, listingSortKey, serializeListing };
export type { ListingWriteOutcome };
