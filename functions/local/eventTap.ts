import { EVENT_DETAIL_SCHEMAS, gradeEvents } from '../../lib/gradeEvents';
import { gradeRecordSchema } from '../../lib/records';
import { isEventSortKey, type StreamRecord } from '../data/gradeStream';
import { isListingItem, listingRecordOfItem } from '../data/listingRecordsRepository';
import type { Store } from '../data/store';

/**
 * Counts, by detail-type, the change events the AWS consumer would publish for the writes made
 * through the returned store: every write of a status, grant, health-check or listing item is a change
 * (writes are change-only), and its old image is the version last written before it. `npm start`
 * counts a year this way; reading the same year back from DynamoDB Local's stream (what `grader
 * watch` and test/integration/changeEvents.test.ts do) costs ~20 s of transferring the packed
 * daily scores the consumer's filter would drop.
 */
function eventTap(store: Store): { store: Store; counts: Map<string, number>; invalid: string[] } {
  const counts = new Map<string, number>();
  const invalid: string[] = [];
  const last = new Map<string, StreamRecord>();
  const observe = (item: Record<string, unknown>) => {
    if (!isEventSortKey(String(item.sk)) || typeof item.record !== 'string') return;
    const record = isListingItem(item) ? listingRecordOfItem(item) : gradeRecordSchema.parse(JSON.parse(item.record));
    const key = `${record.sellerId}|${String(item.sk)}`;
    for (const e of gradeEvents({ oldRecord: last.get(key) ?? null, newRecord: record }, key)) {
      counts.set(e.detailType, (counts.get(e.detailType) ?? 0) + 1);
      // each event checked against its published schema (docs/events/ is generated from these)
      if (!EVENT_DETAIL_SCHEMAS[e.detailType].safeParse(e.detail).success) invalid.push(`${e.detailType} of ${key}`);
    }
    last.set(key, record);
  };
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const out = await target.send(command as never);
        if (command.constructor.name === 'BatchWriteCommand') {
          const requests = (command.input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>)[store.tables.grades] ?? [];
          const unprocessed = new Set(
            ((out as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems?.[store.tables.grades] ?? []).map((r) => JSON.stringify(r)),
          );
          for (const r of requests) if (r.PutRequest && !unprocessed.has(JSON.stringify(r))) observe(r.PutRequest.Item);
        } else if (command.constructor.name === 'PutCommand' && command.input.TableName === store.tables.grades) {
          observe(command.input.Item as Record<string, unknown>);
        }
        return out;
      };
    },
  });
  return { store: { ...store, doc }, counts, invalid };
}

export { eventTap };
