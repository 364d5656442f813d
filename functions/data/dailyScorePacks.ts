import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dailyScoreSchema, gradeRecordSchema, validateRecord, type DailyScoreRecord } from '../../lib/records';
import { batchGet, batchPut, mapLimit, type Item } from './batch';
import { serialize, type WriteOutcome } from './gradesRepository';
import type { Store } from './store';

/**
 * Daily scores are stored packed: one grades item per pack (up to 256 sellers of one category, the
 * seller's `pack`) per date, its records gzipped JSON. DynamoDB Local spends ~1 ms of CPU on every item
 * written to a table with a stream, so 1,000 per-seller items a day cost more than a whole year's
 * budget; in AWS the pack is also ~4x fewer write units and bytes. See docs/data-model.md.
 */
const PACK_PREFIX = 'dailyScores#';

/** The key of a pack on a date; the partition key attribute is the grades table's `sellerId`. */
function packKey(pack: string, date: string): { sellerId: string; sk: string } {
  return { sellerId: `${PACK_PREFIX}${pack}`, sk: `dailyScore#${date}` };
}

function isPackItem(item: Item): boolean {
  return item.kind === 'dailyScores';
}

/** A stored record: as validated, as stored (key order kept), and its content hash. */
interface StoredRecord {
  record: DailyScoreRecord;
  asStored: DailyScoreRecord;
  hash: string;
}

/** A stored pack's records as parsed JSON, each still to be checked. */
function rawRecordsOfPack(item: Item): unknown[] {
  if (!(item.records instanceof Uint8Array)) throw new Error(`daily-score pack ${String(item.sellerId)} ${String(item.sk)} has no records`);
  const parsed: unknown = JSON.parse(gunzipSync(item.records).toString('utf8'));
  if (!Array.isArray(parsed)) throw new Error(`daily-score pack ${String(item.sellerId)} ${String(item.sk)} does not hold a list`);
  return parsed;
}

/**
 * The records of a stored pack, each checked against the schema, with its content hash taken from
 * the stored text (a parsed record's keys come back in schema order, which would hash differently).
 */
function storedRecordsOfPack(item: Item): StoredRecord[] {
  return rawRecordsOfPack(item).map((raw: unknown) => {
    const record = gradeRecordSchema.parse(raw);
    if (record.kind !== 'dailyScore') throw new Error(`daily-score pack ${String(item.sellerId)} ${String(item.sk)} holds a ${record.kind} record`);
    // validated above; kept as stored so that a rewritten pack keeps its text
    const asStored = raw as DailyScoreRecord;
    return { record, asStored, hash: serialize(asStored).hash };
  });
}

/** What a pool's means read of a daily score: only these fields are checked, the rest is not parsed further. */
const poolMemberSchema = dailyScoreSchema.pick({ sellerId: true, date: true, poolId: true, abilities: true }).loose();
type PoolMember = Pick<DailyScoreRecord, 'sellerId' | 'date' | 'poolId' | 'abilities'>;

/** The records of a stored pack, each checked against the schema, in seller order. */
function recordsOfPack(item: Item): DailyScoreRecord[] {
  return storedRecordsOfPack(item).map((r) => r.record);
}

const gzipAsync = promisify(gzip);

/** A pack's item; its records are compressed on the thread pool, off the event loop that builds the next shards. */
async function packItem(pack: string, date: string, records: DailyScoreRecord[], runId: string, writtenAt: string): Promise<Item> {
  const sorted = [...records].sort((a, b) => (a.sellerId < b.sellerId ? -1 : 1));
  const text = `[${sorted.map((r) => JSON.stringify(r)).join(',')}]`;
  return {
    ...packKey(pack, date),
    kind: 'dailyScores',
    pack,
    period: date,
    count: sorted.length,
    // the pack's version for conditional writes (runIds included): change detection is record by record
    policyVersion: sorted[0]!.policyVersion,
    runId,
    contentHash: createHash('sha256').update(text).digest('base64url').slice(0, 32),
    writtenAt,
    expiresAt: Math.max(...sorted.map((r) => r.expiresAt)),
    records: await gzipAsync(text, { level: 1 }),
  };
}

interface StoredPack {
  hash: string;
  records: Map<string, StoredRecord>;
}

function isConditionFailure(e: unknown): boolean {
  return (e as { name?: string }).name === 'ConditionalCheckFailedException';
}

/** Daily scores on the grades table, packed by category pack and date. */
class DailyScorePacks {
  constructor(private readonly store: Store) {}

  private get table() {
    return this.store.tables.grades;
  }

  private async read(keys: { pack: string; date: string }[]): Promise<Map<string, StoredPack>> {
    const items = await batchGet(
      this.store.doc,
      this.table,
      keys.map((k) => packKey(k.pack, k.date)),
      this.store.stats,
    );
    return new Map(
      items.map((item) => [
        `${String(item.pack ?? item.block)}|${String(item.period)}`,
        {
          hash: String(item.contentHash),
          records: new Map(storedRecordsOfPack(item).map((r) => [r.record.sellerId, r])),
        },
      ]),
    );
  }

  /**
   * Writes the daily scores whose content changed, record by record: a pack is rewritten when one
   * of its records changed, keeping the stored version of every other record (a re-run for some
   * sellers writes only those). `knownAbsent`: the date was never evaluated, so no pack is read.
   * A pack that is not new is written on the condition that it did not change since it was read.
   */
  async writeChanged(
    records: DailyScoreRecord[],
    packOf: (sellerId: string) => string,
    options: { dryRun?: boolean; knownAbsent?: boolean; now: string; runId: string },
  ): Promise<WriteOutcome> {
    const groups = new Map<string, { pack: string; date: string; records: DailyScoreRecord[] }>();
    for (const r of records) {
      const pack = packOf(r.sellerId);
      const group = groups.get(`${pack}|${r.date}`);
      if (group) group.records.push(r);
      else groups.set(`${pack}|${r.date}`, { pack, date: r.date, records: [r] });
    }
    const changed: DailyScoreRecord[] = [];
    // scores an earlier attempt of the same run wrote before it died: written by this run
    const earlier: DailyScoreRecord[] = [];
    if (options.knownAbsent) {
      records.forEach((r) => validateRecord(r));
      changed.push(...records);
      if (!options.dryRun && records.length > 0) {
        await batchPut(
          this.store.doc,
          this.table,
          await Promise.all([...groups.values()].map((g) => packItem(g.pack, g.date, g.records, options.runId, options.now))),
          this.store.stats,
        );
      }
    } else {
      let stored = await this.read([...groups.values()]);
      await mapLimit([...groups], 8, async ([key, group]) => {
        for (let attempt = 0; ; attempt++) {
          const previous = stored.get(key);
          const merged = new Map([...(previous?.records ?? [])].map(([sellerId, kept]) => [sellerId, kept.asStored]));
          const changedHere = group.records.filter((r) => {
            const kept = previous?.records.get(r.sellerId);
            if (kept?.hash === serialize(r).hash) {
              if (attempt === 0 && kept.record.runId === options.runId) earlier.push(r);
              return false;
            }
            merged.set(r.sellerId, validateRecord(r));
            return true;
          });
          if (changedHere.length === 0 || options.dryRun) {
            changed.push(...changedHere);
            return;
          }
          try {
            await this.store.doc.send(
              new PutCommand({
                TableName: this.table,
                ReturnConsumedCapacity: 'TOTAL',
                Item: await packItem(group.pack, group.date, [...merged.values()], options.runId, options.now),
                ...(previous
                  ? { ConditionExpression: 'contentHash = :h', ExpressionAttributeValues: { ':h': previous.hash } }
                  : { ConditionExpression: 'attribute_not_exists(sk)' }),
              }),
            );
            changed.push(...changedHere);
            return;
          } catch (e) {
            // another run wrote this pack since it was read: merge into what it wrote
            if (!isConditionFailure(e) || attempt >= 5) throw e;
            const reread = (await this.read([group])).get(key);
            stored = new Map(stored);
            if (reread) stored.set(key, reread);
            else stored.delete(key);
          }
        }
      });
    }
    if (options.dryRun) return { written: 0, unchanged: records.length - changed.length, changed, earlier: [] };
    return { written: changed.length + earlier.length, unchanged: records.length - changed.length - earlier.length, changed, earlier };
  }

  /** The daily scores of these sellers on a date; sellers without one are missing. */
  async on(sellers: { sellerId: string; pack: string }[], date: string): Promise<DailyScoreRecord[]> {
    const wanted = new Set(sellers.map((s) => s.sellerId));
    const packs = await this.read([...new Set(sellers.map((s) => s.pack))].map((pack) => ({ pack, date })));
    return [...packs.values()].flatMap((p) => [...p.records.values()].map((r) => r.record)).filter((r) => wanted.has(r.sellerId));
  }

  /**
   * Some sellers' daily scores on a date, each pack read once: only their own records are checked,
   * not their neighbours' (a page of a few sellers reads packs of 256).
   */
  async ofSellers(sellers: { sellerId: string; pack: string }[], date: string): Promise<DailyScoreRecord[]> {
    const wanted = new Set(sellers.map((s) => s.sellerId));
    const packs = [...new Set(sellers.map((s) => s.pack))];
    const items = await batchGet(
      this.store.doc,
      this.table,
      packs.map((pack) => packKey(pack, date)),
      this.store.stats,
    );
    return items.flatMap((item) =>
      rawRecordsOfPack(item)
        .filter((raw) => wanted.has(String((raw as { sellerId?: unknown } | null)?.sellerId)))
        .map((raw) => {
          const record = gradeRecordSchema.parse(raw);
          if (record.kind !== 'dailyScore') throw new Error(`daily-score pack ${String(item.sellerId)} ${String(item.sk)} holds a ${record.kind} record`);
          return record;
        }),
    );
  }

  /**
   * The pool and abilities of every daily score of some packs on a date: a pool's means read
   * thousands of scores, so only the fields they use are checked (~10x faster than whole records).
   */
  async poolMembersOf(packs: string[], date: string): Promise<PoolMember[]> {
    const items = await batchGet(
      this.store.doc,
      this.table,
      packs.map((pack) => packKey(pack, date)),
      this.store.stats,
    );
    return items.flatMap((item) => rawRecordsOfPack(item).map((raw) => poolMemberSchema.parse(raw)));
  }

  /** How many sellers each of these packs holds on a date (packs not stored are missing): a read of keys and counts only. */
  async sizes(packs: string[], date: string): Promise<Map<string, number>> {
    const items = await batchGet(
      this.store.doc,
      this.table,
      packs.map((pack) => packKey(pack, date)),
      this.store.stats,
      { projection: ['sellerId', 'count'] },
    );
    return new Map(items.map((i) => [String(i.sellerId).slice(PACK_PREFIX.length), Number(i.count)]));
  }

  /** A seller's latest daily score on or before a date, within the last `days` stored dates of its pack. */
  async latest(seller: { sellerId: string; pack: string }, date: string, days = 7): Promise<DailyScoreRecord | null> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'sellerId = :p AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': packKey(seller.pack, date).sellerId, ':from': 'dailyScore#', ':to': `dailyScore#${date}` },
        ScanIndexForward: false,
        Limit: days,
      }),
    );
    for (const item of out.Items ?? []) {
      const record = recordsOfPack(item).find((r) => r.sellerId === seller.sellerId);
      if (record) return record;
    }
    return null;
  }
}

export { DailyScorePacks, isPackItem, packItem, packKey, recordsOfPack };
export type { PoolMember };
