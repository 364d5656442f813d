import { inflateRawSync } from 'node:zlib';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, type DateWindow } from '../../lib/calendar';
import { FIELD_COUNT } from '../../lib/metrics';
import { batchGet, batchPut, mapLimit, type Item } from './batch';
import { queryAll } from './query';
import type { Store } from './store';

/** One block on one date: slot k's field f at cum[k * FIELD_COUNT + f] (running totals) and daily[…] (that day's values). */
interface CumulativeBlock {
  block: string;
  date: string;
  cum: Float64Array;
  /** the day's own values, kept so a block can always be rebuilt whatever state its totals are in */
  daily?: Float64Array | undefined;
  /** listing blocks: bit k set when slot k has a row on that date (a row of zeros included), so that the first row of a key stands */
  present?: Uint8Array | undefined;
}

/**
 * Metric values and their running totals are non-negative integers (SPEC §3.3), stored as unsigned
 * LEB128 varints: smaller than deflated doubles and ~10x cheaper to encode, which is most of an
 * import's own CPU. Items written before (no `encoding`) hold raw-deflated Float64 arrays.
 */
const ENCODING = 'varint';

function encode(values: Float64Array, where: string): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  let p = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    if (!(v >= 0) || !Number.isInteger(v)) throw new Error(`metric block ${where}: value ${v} at ${i} is not a non-negative integer`);
    // integer arithmetic while the value fits 31 bits (most do), float arithmetic above
    while (v > 0x7fffffff) {
      out[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    while (v > 127) {
      out[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    out[p++] = v;
  }
  return out.slice(0, p);
}

function decodeArray(value: unknown, encoding: unknown): Float64Array {
  const bytes = value as Uint8Array;
  if (encoding !== ENCODING) {
    const inflated = inflateRawSync(bytes);
    // copy: the inflated buffer need not be 8-byte aligned
    return new Float64Array(inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + inflated.byteLength));
  }
  const values: number[] = [];
  for (let p = 0; p < bytes.length; ) {
    let v = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = bytes[p++]!;
      v += (byte & 127) * scale;
      scale *= 128;
    } while (byte & 128);
    values.push(v);
  }
  return Float64Array.from(values);
}

function decode(item: Item): CumulativeBlock {
  return {
    block: String(item.block),
    date: String(item.date),
    cum: decodeArray(item.cum, item.encoding),
    daily: item.daily ? decodeArray(item.daily, item.encoding) : undefined,
    present: item.present instanceof Uint8Array ? item.present : undefined,
  };
}

/** Cumulative metric blocks: one item per block of sellers per date (see docs/data-model.md). */
class MetricsRepository {
  constructor(private readonly store: Store) {}

  private get table() {
    return this.store.tables.metrics;
  }

  /** Every stored date of a block from `fromDate` on, in date order (consistent). */
  async blockFrom(block: string, fromDate: string): Promise<CumulativeBlock[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      KeyConditionExpression: '#b = :b AND #d >= :d',
      ExpressionAttributeNames: { '#b': 'block', '#d': 'date' },
      ExpressionAttributeValues: { ':b': block, ':d': fromDate },
      // a rebuild reads what the writer before it wrote (imports, and the listing feed under its lease)
      ConsistentRead: true,
    });
    return items.map(decode);
  }

  async put(blocks: CumulativeBlock[], fieldCount: number = FIELD_COUNT): Promise<void> {
    await batchPut(
      this.store.doc,
      this.table,
      blocks.map((b) => ({
        block: b.block,
        date: b.date,
        slots: b.cum.length / fieldCount,
        encoding: ENCODING,
        cum: encode(b.cum, `${b.block} ${b.date}`),
        ...(b.daily ? { daily: encode(b.daily, `${b.block} ${b.date}`) } : {}),
        ...(b.present ? { present: b.present } : {}),
      })),
      this.store.stats,
    );
  }

  /** The stored days of some blocks, with their own values and which slots have a row, by `${block}|${date}`. */
  async days(keys: { block: string; date: string }[]): Promise<Map<string, CumulativeBlock>> {
    const items = await batchGet(this.store.doc, this.table, keys, this.store.stats, {
      projection: ['block', 'date', 'encoding', 'cum', 'daily', 'present'],
      consistent: true,
    });
    return new Map(items.map((item) => [`${String(item.block)}|${String(item.date)}`, decode(item)]));
  }

  /**
   * Each block's running totals at the end of each date: the stored item of that date, else the
   * latest one before it (no rows since), else zeros (no rows yet). Keyed `${block}|${date}`.
   */
  async cumulativeAt(
    blocks: string[],
    dates: string[],
    referenceRevision?: number | string,
    options: { consistent?: boolean } = {},
  ): Promise<Map<string, Float64Array | null>> {
    const found = new Map<string, Float64Array | null>();
    // a date before a block's first stored date holds zeros: neither read nor looked back for
    const first = referenceRevision === undefined ? null : await this.firstDates(blocks, referenceRevision);
    const keys = blocks.flatMap((block) =>
      dates.flatMap((date) => {
        const from = first?.get(block);
        if (first && (from === null || date < from!)) {
          found.set(`${block}|${date}`, null);
          return [];
        }
        return [{ block, date }];
      }),
    );
    for (const item of await batchGet(this.store.doc, this.table, keys, this.store.stats, {
      projection: ['block', 'date', 'encoding', 'cum'],
      consistent: options.consistent,
    })) {
      const b = decode(item);
      found.set(`${b.block}|${b.date}`, b.cum);
    }
    const missing = keys.filter((k) => !found.has(`${k.block}|${k.date}`));
    await mapLimit(missing, 8, async ({ block, date }) => {
      const out = await this.store.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#b = :b AND #d <= :d',
          ExpressionAttributeNames: { '#b': 'block', '#d': 'date', '#e': 'encoding' },
          ExpressionAttributeValues: { ':b': block, ':d': date },
          ScanIndexForward: false,
          Limit: 1,
          ProjectionExpression: '#b, #d, #e, cum',
          ...(options.consistent ? { ConsistentRead: true } : {}),
        }),
      );
      const item = out.Items?.[0];
      found.set(`${block}|${date}`, item ? decode(item).cum : null);
    });
    return found;
  }

  /** Each block's first stored date, from the cache of this reference revision or one query per block. */
  private async firstDates(blocks: string[], referenceRevision: number | string): Promise<Map<string, string | null>> {
    let kept = firstDatesCache.get(this.store.client);
    if (!kept) firstDatesCache.set(this.store.client, (kept = new Map()));
    let first = kept.get(referenceRevision);
    if (!first) {
      kept.set(referenceRevision, (first = new Map()));
      while (kept.size > FIRST_DATES_REVISIONS) kept.delete(kept.keys().next().value!);
    }
    await mapLimit(
      blocks.filter((b) => !first.has(b)),
      8,
      async (block) => {
        const out = await this.store.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#b = :b',
            ExpressionAttributeNames: { '#b': 'block', '#d': 'date' },
            ExpressionAttributeValues: { ':b': block },
            Limit: 1,
            ProjectionExpression: '#d',
          }),
        );
        first.set(block, out.Items?.[0] ? String(out.Items[0].date) : null);
      },
    );
    return first;
  }
}

/**
 * Each block's first stored date (null: none stored), cached per store for a revision of the
 * reference data: only imports and the listing feed write blocks, and each moves a revision the
 * caller keys on when it ends (the growth job keys on the listing revision too).
 */
const firstDatesCache = new WeakMap<Store['client'], Map<number | string, Map<string, string | null>>>();

/** The seller jobs key on the reference revision, the growth job on its listing version: both stay cached while they alternate. */
const FIRST_DATES_REVISIONS = 4;

/** The dates whose running totals a window sum needs: its end and the day before its start. */
function boundaryDates(w: DateWindow): [string, string] {
  return [w.end, addDays(w.start, -1)];
}

/** The order totals of a metric block: the fold of its sellers' order outcomes (SPEC §3.4), kept as a block of its own. */
const orderBlockOf = (block: string) => `orders#${block}`;

/** The blocks to read for sellers' window sums: their metric blocks and the order blocks beside them. */
function blocksOf(sellers: Iterable<{ block: string }>): string[] {
  const blocks = new Set<string>();
  for (const s of sellers) blocks.add(s.block).add(orderBlockOf(s.block));
  return [...blocks];
}

/**
 * S(f, a..b) = cum(b)[f] − cum(a − 1)[f] for one seller's slot, written into `out` at `offset`:
 * its metric rows plus the fold of its order outcomes, when `cumulative` (what cumulativeAt
 * returned for the window's boundary dates; null: zeros) holds its order block.
 */
function windowSums(
  cumulative: ReadonlyMap<string, Float64Array | null>,
  seller: { block: string; slot: number },
  w: DateWindow,
  out: Float64Array,
  offset = 0,
): void {
  const [endDate, beforeDate] = boundaryDates(w);
  const o = seller.slot * FIELD_COUNT;
  for (let f = 0; f < FIELD_COUNT; f++) out[offset + f] = 0;
  for (const block of [seller.block, orderBlockOf(seller.block)]) {
    const end = cumulative.get(`${block}|${endDate}`);
    const before = cumulative.get(`${block}|${beforeDate}`);
    for (let f = 0; f < FIELD_COUNT; f++) {
      const e = end && o + f < end.length ? end[o + f]! : 0;
      const b = before && o + f < before.length ? before[o + f]! : 0;
      out[offset + f] = out[offset + f]! + e - b;
    }
  }
}

export { MetricsRepository, blocksOf, boundaryDates, orderBlockOf, windowSums };
export type { CumulativeBlock };
