import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DateWindow } from '../../lib/calendar';
import type { QuarantineRecord } from '../../lib/records';
import { batchPut } from './batch';
import { queryAll } from './query';
import type { Store } from './store';

/**
 * Quarantined metric rows change only with imports, which move the reference revision: a store
 * keeps the dates of those it read at a revision and counts a run's windows from them.
 */
const copies = new WeakMap<Store, { revision: number; dates: string[]; undated: number }>();

/** Quarantined input rows, keyed by source and `<date>#<sellerId>#<n>` so a job can count those in its windows. */
class QuarantineRepository {
  constructor(private readonly store: Store) {}

  async put(records: QuarantineRecord[], importId: string, now: string): Promise<void> {
    const items = records.map((r) => {
      const dated = typeof r.key.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r.key.date);
      return {
        source: dated || r.source !== 'metrics' ? r.source : 'metrics-undated',
        // keyed by the row's key and reason, not the import: re-importing the same file quarantines nothing twice
        rowKey: `${String(r.key.date ?? '')}#${String(r.key.sellerId ?? r.key.categoryId ?? '')}#${createHash('sha256').update(`${JSON.stringify(r.key)}|${r.reason}`).digest('base64url').slice(0, 16)}`,
        key: r.key, reason: r.reason, importId, quarantinedAt: now,
      };
    });
    await batchPut(this.store.doc, this.store.tables.quarantine, items, this.store.stats);
  }

  /**
   * Quarantined metric rows a job over `span` reads: those dated inside it, and every undated one
   * (SPEC §3.3). With the reference `revision` the run read, from the store's copy at that revision.
   */
  async countForWindow(span: DateWindow, revision?: number): Promise<number> {
    if (revision !== undefined) {
      let copy = copies.get(this.store);
      if (copy?.revision !== revision) {
        const [dated, undated] = await Promise.all([
          queryAll(this.store.doc, {
            TableName: this.store.tables.quarantine, KeyConditionExpression: '#s = :s', ProjectionExpression: 'rowKey',
            ExpressionAttributeNames: { '#s': 'source' }, ExpressionAttributeValues: { ':s': 'metrics' },
          }, this.store.stats),
          queryAll(this.store.doc, {
            TableName: this.store.tables.quarantine, KeyConditionExpression: '#s = :s', ProjectionExpression: 'rowKey',
            ExpressionAttributeNames: { '#s': 'source' }, ExpressionAttributeValues: { ':s': 'metrics-undated' },
          }, this.store.stats),
        ]);
        copy = { revision, dates: dated.map((i) => String(i.rowKey).slice(0, 10)), undated: undated.length };
        copies.set(this.store, copy);
      }
      return copy.dates.filter((d) => d >= span.start && d <= span.end).length + copy.undated;
    }
    const count = async (source: string, range: boolean) => {
      let total = 0;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const out = await this.store.doc.send(new QueryCommand({
          TableName: this.store.tables.quarantine,
          KeyConditionExpression: range ? '#s = :s AND rowKey BETWEEN :a AND :b' : '#s = :s',
          ExpressionAttributeNames: { '#s': 'source' },
          ExpressionAttributeValues: range ? { ':s': source, ':a': span.start, ':b': `${span.end}#\uffff` } : { ':s': source },
          Select: 'COUNT',
          ExclusiveStartKey,
        }));
        this.store.stats.requests++;
        total += out.Count ?? 0;
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return total;
    };
    return (await count('metrics', true)) + (await count('metrics-undated', false));
  }
}

export { QuarantineRepository };
