import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { epochDay } from '../../lib/calendar';
import { orderView, type OrderHistory, type OrderView } from '../../lib/orderOutcomes';
import { batchDelete, batchGet, batchPut, mapLimit, type Item } from './batch';
import { Lease } from './lease';
import { queryAll } from './query';
import type { Store } from './store';
import { ORDERS_BY_SELLER_INDEX } from './tables';

/** A seller-day whose order totals must be folded again: an order closed on it changed. */
interface PendingDay {
  sellerId: string;
  date: string;
  markedAt: string;
}

/** Marks are spread over this many partitions of the runs table, so that a day's ingestion does not heat one. */
const MARK_PARTITIONS = 16;
const markPartition = (sellerId: string) => `orders#pending#${createHash('sha1').update(sellerId).digest()[0]! % MARK_PARTITIONS}`;

/** Days an order is kept after it closed (TTL): longer than any window a job reads. */
const ORDER_RETENTION_DAYS = 400;

const PENDING_FLAG = { jobPeriod: 'orders#lock', item: 'pending' };
const ORDERS_LOCK = { jobPeriod: 'orders#lock', item: 'lock' };

/** A page of the drill-down: newest first; `next` continues it. */
interface OrderPage {
  orders: OrderView[];
  next: string | null;
}

/** Where a page of the drill-down ended: the index key of its last order. */
const pageKeySchema = z.object({ orderId: z.string().min(1), sellerId: z.string().min(1), closedKey: z.string().min(1) }).strict();
type PageKey = z.infer<typeof pageKeySchema>;

const NOT_A_TOKEN = 'is not a page token this drill-down gave: leave it out to start from the newest order';

/** A page token as the drill-down gives it (its page key, JSON in base64url), parsed into that key. */
const pageTokenSchema = z
  .string()
  .max(2048)
  .transform((token, ctx): PageKey => {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      json = undefined;
    }
    const key = pageKeySchema.safeParse(json);
    if (!key.success) {
      ctx.addIssue({ code: 'custom', message: NOT_A_TOKEN });
      return z.NEVER;
    }
    return key.data;
  });

/** Whether a page key belongs to this seller's drill-down over from..to. */
const pageKeyWithin = (key: PageKey, query: { sellerId: string; from: string; to: string }) =>
  key.sellerId === query.sellerId && key.closedKey >= `${query.from}#` && key.closedKey <= `${query.to}#\uffff`;

const pageToken = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

function itemOf(orderId: string, history: OrderHistory): Item {
  const view = orderView(history);
  const item: Item = { orderId, history: JSON.stringify(history) };
  if (view) {
    item.sellerId = view.sellerId;
    item.closedKey = `${view.closedOn}#${orderId}`;
    item.view = JSON.stringify(view);
    // listed by --bad-only: bad-experience reasons, whether or not an appeal excluded the order
    item.bad = view.reasons.length > 0 ? 1 : 0;
    item.expiresAt = (epochDay(view.closedOn) + ORDER_RETENTION_DAYS) * 86_400;
  }
  return item;
}

/**
 * Orders (see docs/data-model.md): one item per order with every version received and every
 * appeal decision, the standing outcome indexed by seller and closing date, and the marks of
 * seller-days whose totals are to be folded again. Every writer holds the orders lock
 * (functions/jobs/orderLock.ts), so plain batch writes never lose an update.
 */
class OrdersRepository {
  constructor(private readonly store: Store) {}

  private get table() {
    return this.store.tables.orders;
  }

  async histories(orderIds: string[]): Promise<Map<string, OrderHistory>> {
    const items = await batchGet(
      this.store.doc,
      this.table,
      orderIds.map((orderId) => ({ orderId })),
      this.store.stats,
      { projection: ['orderId', 'history'], consistent: true },
    );
    return new Map(items.map((i) => [String(i.orderId), JSON.parse(String(i.history)) as OrderHistory]));
  }

  async put(histories: Map<string, OrderHistory>): Promise<void> {
    await batchPut(
      this.store.doc,
      this.table,
      [...histories].map(([orderId, h]) => itemOf(orderId, h)),
      this.store.stats,
    );
  }

  /** The standing orders of a seller closed from..to, from the index. */
  async closedBetween(sellerId: string, from: string, to: string): Promise<OrderView[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.table,
      IndexName: ORDERS_BY_SELLER_INDEX,
      KeyConditionExpression: 'sellerId = :s AND closedKey BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':s': sellerId, ':from': `${from}#`, ':to': `${to}#\uffff` },
      ProjectionExpression: '#v',
      ExpressionAttributeNames: { '#v': 'view' },
    });
    return items.map((i) => JSON.parse(String(i.view)) as OrderView);
  }

  /** The drill-down (SPEC §3.4): a seller's orders closed from..to, newest first, a page at a time. */
  async page(query: { sellerId: string; from: string; to: string; badOnly?: boolean; limit: number; after?: PageKey | null }): Promise<OrderPage> {
    const orders: OrderView[] = [];
    let start: Record<string, unknown> | undefined = query.after ?? undefined;
    // a filtered page can come back short: read on until it is full or the window is done
    do {
      const out = await this.store.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: ORDERS_BY_SELLER_INDEX,
          KeyConditionExpression: 'sellerId = :s AND closedKey BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':s': query.sellerId, ':from': `${query.from}#`, ':to': `${query.to}#\uffff`, ...(query.badOnly ? { ':one': 1 } : {}) },
          ...(query.badOnly ? { FilterExpression: 'bad = :one' } : {}),
          ScanIndexForward: false,
          Limit: query.limit - orders.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const i of out.Items ?? []) orders.push(JSON.parse(String(i.view)) as OrderView);
      start = out.LastEvaluatedKey;
    } while (start && orders.length < query.limit);
    return { orders, next: start ? pageToken(start) : null };
  }

  /** Marks seller-days to be folded again; written before the orders change, so a crash in between loses none. */
  async mark(days: { sellerId: string; date: string }[], now: string): Promise<void> {
    const unique = new Map(days.map((d) => [`${d.sellerId}|${d.date}`, d]));
    if (unique.size === 0) return;
    await this.store.doc.send(new PutCommand({ TableName: this.store.tables.runs, Item: { ...PENDING_FLAG, markedAt: now } }));
    await batchPut(
      this.store.doc,
      this.store.tables.runs,
      [...unique.values()].map((d) => ({ jobPeriod: markPartition(d.sellerId), item: `${d.sellerId}|${d.date}`, markedAt: now })),
      this.store.stats,
    );
  }

  async pending(): Promise<PendingDay[]> {
    const partitions = Array.from({ length: MARK_PARTITIONS }, (_, n) => `orders#pending#${n}`);
    const found = await mapLimit(partitions, 8, (p) =>
      queryAll(this.store.doc, {
        TableName: this.store.tables.runs,
        KeyConditionExpression: 'jobPeriod = :p',
        ExpressionAttributeValues: { ':p': p },
        ConsistentRead: true,
      }),
    );
    return found.flat().map((i) => {
      const [sellerId, date] = String(i.item).split('|') as [string, string];
      return { sellerId, date, markedAt: String(i.markedAt) };
    });
  }

  /** When marks were last written, or null: no mark is pending (one read, which every run makes). */
  async pendingSince(): Promise<string | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.runs, Key: PENDING_FLAG, ConsistentRead: true }));
    return out.Item ? String(out.Item.markedAt) : null;
  }

  /** Says no mark is pending, unless marks were written since `since`. */
  async clearPendingFlag(since: string): Promise<void> {
    await this.store.doc
      .send(
        new DeleteCommand({
          TableName: this.store.tables.runs,
          Key: PENDING_FLAG,
          ConditionExpression: 'markedAt = :m',
          ExpressionAttributeValues: { ':m': since },
        }),
      )
      .catch((e: unknown) => {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
  }

  /** Clears folded marks; under the orders lock no one marks a day again meanwhile. */
  async clear(days: PendingDay[]): Promise<void> {
    await batchDelete(
      this.store.doc,
      this.store.tables.runs,
      days.map((d) => ({ jobPeriod: markPartition(d.sellerId), item: `${d.sellerId}|${d.date}` })),
      this.store.stats,
    );
  }

  /** The orders lock: one writer of orders and marks at a time (ingestion, a run's fold). */
  lease(): Lease {
    return new Lease(this.store, ORDERS_LOCK);
  }
}

export { OrdersRepository, pageKeyWithin, pageTokenSchema };
export type { OrderPage, PageKey, PendingDay };
