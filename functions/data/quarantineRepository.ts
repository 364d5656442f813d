import { createHash } from 'node:crypto';
import { isCalendarDate, type DateWindow } from '../../lib/calendar';
import type { QuarantineRecord } from '../../lib/records';
import { batchPut } from './batch';
import { queryAll, scanAll } from './query';
import type { Store } from './store';

/**
 * Quarantined metric rows change only with imports, which move the reference revision: a store
 * keeps the dates of those it read at a revision and counts a run's windows from them.
 */
const copies = new WeakMap<Store['client'], { revision: number; dates: string[]; sellers: string[]; undated: number }>();

/** Quarantined input rows, keyed by source and `<date>#<sellerId>#<n>` so a job can count those in its windows. */
class QuarantineRepository {
  constructor(private readonly store: Store) {}

  /**
   * `inRange` tells the dates an import accepts: a metric row with a date outside them, or with no
   * calendar date, lies in no window and is counted by every job (SPEC §3.3, §7.5).
   */
  async put(records: QuarantineRecord[], importId: string, now: string, inRange: (date: string) => boolean = () => true): Promise<void> {
    const items = records.map((r) => {
      const dated = typeof r.key.date === 'string' && isCalendarDate(r.key.date) && inRange(r.key.date);
      return {
        source: dated || (r.source !== 'metrics' && r.source !== 'listingMetrics') ? r.source : `${r.source}-undated`,
        // keyed by the row's key and reason, not the import: re-importing the same file quarantines nothing twice
        // the key fields come bounded from the input boundary; the cut here keeps any caller's key under DynamoDB's 1 KB
        rowKey: `${String(r.key.date ?? '').slice(0, 100)}#${String(r.key.sellerId ?? r.key.listingId ?? r.key.categoryId ?? r.key.orderId ?? '').slice(0, 200)}#${createHash(
          'sha256',
        )
          .update(`${JSON.stringify(r.key)}|${r.reason}`)
          .digest('base64url')
          .slice(0, 16)}`,
        key: r.key,
        reason: r.reason,
        importId,
        quarantinedAt: now,
      };
    });
    // identical rows repeated (no line numbers to tell them apart) are one item: a batch holds each key once
    const unique = new Map(items.map((i) => [`${i.source}|${i.rowKey}`, i]));
    await batchPut(this.store.doc, this.store.tables.quarantine, [...unique.values()], this.store.stats);
  }

  /**
   * Quarantined rows a job over `span` reads: metric rows dated inside it, every undated one
   * (SPEC §3.3), and every bad line of the order feed and the appeal decisions (SPEC §3.4), counted from the store's copy at the reference `revision` the run read.
   */
  async countForWindow(span: DateWindow, revision: number): Promise<number> {
    let copy = copies.get(this.store.client);
    if (copy?.revision !== revision) {
      const [dated, undated, orders, exclusions] = await Promise.all(
        ['metrics', 'metrics-undated', 'orders', 'exclusions'].map((source) => this.rowKeys(source)),
      );
      // the order feed and the appeal decisions are read whole by every job (SPEC §3.4)
      copy = {
        revision,
        dates: dated!.map((k) => k.slice(0, 10)),
        sellers: dated!.map((k) => k.slice(11, k.lastIndexOf('#'))),
        undated: undated!.length + orders!.length + exclusions!.length,
      };
      copies.set(this.store.client, copy);
    }
    return copy.dates.filter((d) => d >= span.start && d <= span.end).length + copy.undated;
  }

  /** Quarantined listing rows the growth job over `span` reads: those dated inside it, and every undated one (SPEC §3.5). */
  async countListingRowsForWindow(span: DateWindow): Promise<number> {
    const [dated, undated] = await Promise.all(['listingMetrics', 'listingMetrics-undated'].map((source) => this.rowKeys(source)));
    return dated!.filter((k) => k.slice(0, 10) >= span.start && k.slice(0, 10) <= span.end).length + undated!.length;
  }

  /** Each seller's quarantined metric rows dated inside `span` (the health check's dataQuality, SPEC §7.5). */
  async countsBySeller(span: DateWindow, revision: number): Promise<Map<string, number>> {
    await this.countForWindow(span, revision);
    const copy = copies.get(this.store.client)!;
    const counts = new Map<string, number>();
    copy.dates.forEach((d, i) => {
      if (d >= span.start && d <= span.end) counts.set(copy.sellers[i]!, (counts.get(copy.sellers[i]!) ?? 0) + 1);
    });
    return counts;
  }

  /** Quarantined rows per source (the report's table). */
  async countsBySource(): Promise<Record<string, number>> {
    const sources = ['metrics', 'metrics-undated', 'sellers', 'categories', 'grants', 'orders', 'exclusions', 'exposure', 'registrations'];
    const counts = await Promise.all(sources.map(async (s) => [s.replace('-undated', ''), (await this.rowKeys(s)).length] as const));
    const out: Record<string, number> = {};
    for (const [s, n] of counts) if (n > 0) out[s] = (out[s] ?? 0) + n;
    return out;
  }

  /** Every quarantined row, as the record that quarantined it (an offline evaluation's whole quarantine). */
  async all(): Promise<QuarantineRecord[]> {
    const items = await scanAll(this.store.doc, { TableName: this.store.tables.quarantine });
    return items.map((i) => ({
      kind: 'quarantine',
      source: String(i.source).replace('-undated', '') as QuarantineRecord['source'],
      key: i.key as Record<string, unknown>,
      reason: String(i.reason),
    }));
  }

  private async rowKeys(source: string): Promise<string[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.tables.quarantine,
      KeyConditionExpression: '#s = :s',
      ProjectionExpression: 'rowKey',
      ExpressionAttributeNames: { '#s': 'source' },
      ExpressionAttributeValues: { ':s': source },
    });
    return items.map((i) => String(i.rowKey));
  }
}

export { QuarantineRepository };
