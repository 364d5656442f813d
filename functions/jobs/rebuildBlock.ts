import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, datesOf } from '../../lib/calendar';
import { METRIC_FIELDS } from '../../lib/metrics';
import { MetricsRepository, type CumulativeBlock } from '../data/metricsRepository';
import type { Store } from '../data/store';

/**
 * Folds new rows into one block: takes each stored day's own values, replaces the imported
 * (seller, date) rows, and rewrites the running totals from the first new date on. A marker in the
 * runs table brackets the writes; a block whose last rebuild died part-way (marker still there) is
 * rebuilt from its first date, so a failed import never leaves wrong totals behind. The fields are
 * the sellers' metric fields, or a listing's daily fields for listing blocks. With `presence` (listing
 * blocks) each day keeps which slots have a row, so that a later row of the same key can be told apart.
 */
async function rebuildBlock(
  store: Store,
  block: string,
  slots: number,
  rows: Map<string, [number, Record<string, number>][]>,
  fields: readonly string[] = METRIC_FIELDS,
  options: { presence?: boolean } = {},
): Promise<number> {
  const FIELD_COUNT = fields.length;
  const metrics = new MetricsRepository(store);
  const marker = { TableName: store.tables.runs, Key: { jobPeriod: `import#${block}`, item: 'pending' } };
  const interrupted = (await store.doc.send(new GetCommand({ ...marker, ConsistentRead: true }))).Item !== undefined;
  await store.doc.send(new PutCommand({ TableName: store.tables.runs, Item: { ...marker.Key, startedAt: new Date().toISOString() } }));
  const dates = [...rows.keys()].sort();
  const first = interrupted ? '0000-00-00' : dates[0]!;
  const stored = await metrics.blockFrom(block, first);
  const start = interrupted ? (stored[0]?.date && stored[0].date < dates[0]! ? stored[0].date : dates[0]!) : dates[0]!;
  const before = addDays(start, -1);
  const base = interrupted ? null : ((await metrics.cumulativeAt([block], [before], undefined, { consistent: true })).get(`${block}|${before}`) ?? null);
  const byDate = new Map(stored.map((b) => [b.date, b]));
  const lastStored = stored[stored.length - 1]?.date;
  const last = lastStored && lastStored > dates[dates.length - 1]! ? lastStored : dates[dates.length - 1]!;
  const width = slots * FIELD_COUNT;
  const pad = (values: Float64Array | null | undefined) => {
    const out = new Float64Array(width);
    if (values) out.set(values.subarray(0, Math.min(values.length, width)));
    return out;
  };
  let previousStored = pad(base);
  let previous = pad(base);
  const out: CumulativeBlock[] = [];
  for (const date of datesOf({ start, end: last })) {
    const item = byDate.get(date);
    let daily = new Float64Array(width);
    if (item?.daily) daily = pad(item.daily);
    else if (item) {
      // items written before daily values were kept: the difference of consecutive totals
      const current = pad(item.cum);
      for (let i = 0; i < width; i++) daily[i] = current[i]! - previousStored[i]!;
    }
    if (item) previousStored = pad(item.cum);
    const present = options.presence ? presentSlots(item, daily, slots, FIELD_COUNT) : undefined;
    for (const [slot, row] of rows.get(date) ?? []) {
      for (let f = 0; f < FIELD_COUNT; f++) daily[slot * FIELD_COUNT + f] = row[fields[f]!]!;
      if (present) present[slot >> 3]! |= 1 << (slot & 7);
    }
    const cum = new Float64Array(width);
    for (let i = 0; i < width; i++) cum[i] = previous[i]! + daily[i]!;
    out.push({ block, date, cum, daily, present });
    previous = cum;
  }
  await metrics.put(out, FIELD_COUNT);
  await store.doc.send(new DeleteCommand(marker));
  return out.length;
}

/**
 * The slots with a row on a stored day: its bitmap, or, for a day written before bitmaps were
 * kept, the slots with a value other than zero (a stored row of zeros reads as no row then).
 */
function presentSlots(item: CumulativeBlock | undefined, daily: Float64Array, slots: number, fieldCount: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(slots / 8));
  if (item?.present) out.set(item.present.subarray(0, out.length));
  else if (item) {
    for (let slot = 0; slot < slots; slot++) {
      for (let f = 0; f < fieldCount; f++) if (daily[slot * fieldCount + f]! !== 0) out[slot >> 3]! |= 1 << (slot & 7);
    }
  }
  return out;
}

const hasRow = (present: Uint8Array | undefined, slot: number) => present !== undefined && ((present[slot >> 3] ?? 0) & (1 << (slot & 7))) !== 0;

export { hasRow, presentSlots, rebuildBlock };
