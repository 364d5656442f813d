import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, businessDateOf, datesOf } from '../../lib/calendar';
import { grantOfRecord } from '../../lib/goodSeller';
import { InputBoundary } from '../../lib/inputBoundary';
import { ID_PATTERN } from '../../lib/inputs';
import { grantRecord } from '../../lib/jobs';
import { inputLine } from '../../lib/jsonLines';
import { FIELD_COUNT, METRIC_FIELDS, type MetricRow } from '../../lib/metrics';
import type { Policy } from '../../lib/policy';
import { validateRecord } from '../../lib/records';
import { mapLimit } from '../data/batch';
import { GradesRepository } from '../data/gradesRepository';
import { MetricsRepository, type CumulativeBlock } from '../data/metricsRepository';
import { QuarantineRepository } from '../data/quarantineRepository';
import { ReferenceRepository, type StoredSeller } from '../data/referenceRepository';
import type { Store } from '../data/store';
import { DAILY_SCORE_PACK_SIZE, METRIC_BLOCK_SIZE } from '../data/tables';

interface ImportInput {
  categories?: unknown[];
  sellers?: unknown[];
  metrics?: Iterable<unknown> | AsyncIterable<unknown>;
  grants?: unknown[];
}

interface ImportSummary {
  categories: number;
  sellers: number;
  metricRows: number;
  blocksWritten: number;
  grants: number;
  quarantined: number;
}

/**
 * Gives each new seller a slot in a metric block and a place in a daily-score pack; known sellers
 * keep theirs. Blocks fill up to METRIC_BLOCK_SIZE sellers of any categories (`block-<n>`), so a
 * job reads few, large block items; packs hold up to as many sellers of one category
 * (`<categoryId>#<n>`), so that each pack is written by the one shard that evaluates its category.
 */
function assignBlocks(existing: StoredSeller[], incoming: Omit<StoredSeller, 'block' | 'slot' | 'pack'>[]): StoredSeller[] {
  const byId = new Map(existing.map((s) => [s.sellerId, s]));
  const blockFill = new Map<string, number>();
  const packFill = new Map<string, number>();
  for (const s of existing) {
    blockFill.set(s.block, Math.max(blockFill.get(s.block) ?? 0, s.slot + 1));
    packFill.set(s.pack, (packFill.get(s.pack) ?? 0) + 1);
  }
  // blocks are named `block-<n>`; those of one category (`<categoryId>#<n>`) come from an earlier
  // naming and are not refilled
  let lastBlock = Math.max(-1, ...[...blockFill.keys()].filter((b) => /^block-\d+$/.test(b)).map((b) => Number(b.slice(6))));
  const lastPack = new Map<string, number>();
  for (const pack of packFill.keys()) {
    const [category, n] = [pack.slice(0, pack.lastIndexOf('#')), Number(pack.slice(pack.lastIndexOf('#') + 1))];
    lastPack.set(category, Math.max(lastPack.get(category) ?? 0, n));
  }
  const nameBlock = (n: number) => `block-${String(n).padStart(4, '0')}`;
  const namePack = (category: string, n: number) => `${category}#${String(n).padStart(3, '0')}`;
  return incoming.map((s) => {
    const known = byId.get(s.sellerId);
    // a seller that moved category keeps its metrics and joins a pack of its new category
    if (known && known.categoryId === s.categoryId) return { ...s, block: known.block, slot: known.slot, pack: known.pack };
    let place: Pick<StoredSeller, 'block' | 'slot'>;
    if (known) place = { block: known.block, slot: known.slot };
    else {
      if (lastBlock < 0 || (blockFill.get(nameBlock(lastBlock)) ?? 0) >= METRIC_BLOCK_SIZE) lastBlock++;
      place = { block: nameBlock(lastBlock), slot: blockFill.get(nameBlock(lastBlock)) ?? 0 };
      blockFill.set(place.block, place.slot + 1);
    }
    let n = lastPack.get(s.categoryId) ?? 0;
    if ((packFill.get(namePack(s.categoryId, n)) ?? 0) >= DAILY_SCORE_PACK_SIZE) n++;
    lastPack.set(s.categoryId, n);
    const pack = namePack(s.categoryId, n);
    packFill.set(pack, (packFill.get(pack) ?? 0) + 1);
    const stored = { ...s, ...place, pack };
    byId.set(s.sellerId, stored);
    return stored;
  });
}

/**
 * Imports reference data, metric rows and grants through the input boundary (SPEC §3.3): every
 * line is checked before anything is written, invalid ones are quarantined with their reason, and
 * valid metric rows are folded into the cumulative blocks. `now` gives the ingestion date.
 */
async function importData(
  store: Store,
  input: ImportInput,
  options: { policy: Policy; importId: string; now: string; onRows?: (n: number) => void },
): Promise<ImportSummary> {
  const reference = new ReferenceRepository(store);
  const grades = new GradesRepository(store);
  const summary: ImportSummary = { categories: 0, sellers: 0, metricRows: 0, blocksWritten: 0, grants: 0, quarantined: 0 };
  const [storedCategories, existing] = await Promise.all([reference.categories(), reference.sellers()]);
  const grantLines = (input.grants ?? []).map(inputLine);
  const grantSellers = new Set(grantLines.map((l) => ('value' in l ? (l.value as { sellerId?: unknown } | null)?.sellerId : null)));
  const storedGrants = (
    await grades.getMany(
      [...grantSellers].filter((id) => typeof id === 'string' && ID_PATTERN.test(id)).map((id) => ({ sellerId: id as string, sk: 'goodSellerGrant' })),
    )
  ).flatMap((r) => (r.kind === 'goodSellerGrant' ? [grantOfRecord(r)] : []));
  const boundary = new InputBoundary(
    { policy: options.policy, ingestedOn: businessDateOf(options.now, options.policy.timeZone) },
    { categories: storedCategories, sellers: existing, grants: storedGrants },
  );

  const newCategories = (input.categories ?? []).flatMap((raw) => boundary.category(inputLine(raw)) ?? []);
  const incoming = (input.sellers ?? []).flatMap((raw) => boundary.seller(inputLine(raw))?.profile ?? []);
  const stored = assignBlocks(existing, incoming);
  const sellers = new Map<string, StoredSeller>([...existing, ...stored].map((s) => [s.sellerId, s]));

  const byBlock = new Map<string, Map<string, [number, MetricRow][]>>();
  for await (const raw of input.metrics ?? []) {
    options.onRows?.(1);
    const row = boundary.metric(inputLine(raw));
    if (!row) continue;
    const seller = sellers.get(row.sellerId)!;
    let dates = byBlock.get(seller.block);
    if (!dates) byBlock.set(seller.block, (dates = new Map()));
    const list = dates.get(row.date);
    if (list) list.push([seller.slot, row]);
    else dates.set(row.date, [[seller.slot, row]]);
    summary.metricRows++;
  }
  const grantRecords = grantLines.flatMap((line) => {
    const g = boundary.grant(line);
    if (!g) return [];
    const asOf = g.revokedOn && g.revokedOn > g.approvedOn ? g.revokedOn : g.approvedOn;
    return [validateRecord(grantRecord(g, sellers.get(g.sellerId)!.categoryId, asOf, options.policy, options.importId))];
  });

  // every line is judged: only now is anything written
  await reference.putCategories(newCategories);
  summary.categories = newCategories.length;
  await reference.putSellers(stored);
  summary.sellers = stored.length;
  const slotsOf = new Map<string, number>();
  for (const s of sellers.values()) slotsOf.set(s.block, Math.max(slotsOf.get(s.block) ?? 0, s.slot + 1));
  const written = await mapLimit([...byBlock], 4, ([block, rows]) => rebuildBlock(store, block, slotsOf.get(block)!, rows));
  summary.blocksWritten = written.reduce((a, b) => a + b, 0);
  summary.grants = (await grades.writeChanged(grantRecords, { now: options.now })).written;

  await new QuarantineRepository(store).put(boundary.quarantined, options.importId, options.now);
  await reference.bumpRevision();
  summary.quarantined = boundary.quarantined.length;
  return summary;
}

/**
 * Folds new rows into one block: takes each stored day's own values, replaces the imported
 * (seller, date) rows, and rewrites the running totals from the first new date on. A marker in the
 * runs table brackets the writes; a block whose last rebuild died part-way (marker still there) is
 * rebuilt from its first date, so a failed import never leaves wrong totals behind.
 */
async function rebuildBlock(store: Store, block: string, slots: number, rows: Map<string, [number, MetricRow][]>): Promise<number> {
  const metrics = new MetricsRepository(store);
  const marker = { TableName: store.tables.runs, Key: { jobPeriod: `import#${block}`, item: 'pending' } };
  const interrupted = (await store.doc.send(new GetCommand({ ...marker, ConsistentRead: true }))).Item !== undefined;
  await store.doc.send(new PutCommand({ TableName: store.tables.runs, Item: { ...marker.Key, startedAt: new Date().toISOString() } }));
  const dates = [...rows.keys()].sort();
  const first = interrupted ? '0000-00-00' : dates[0]!;
  const stored = await metrics.blockFrom(block, first);
  const start = interrupted ? (stored[0]?.date && stored[0].date < dates[0]! ? stored[0].date : dates[0]!) : dates[0]!;
  const before = addDays(start, -1);
  const base = interrupted ? null : ((await metrics.cumulativeAt([block], [before])).get(`${block}|${before}`) ?? null);
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
    for (const [slot, row] of rows.get(date) ?? []) {
      for (let f = 0; f < FIELD_COUNT; f++) daily[slot * FIELD_COUNT + f] = row[METRIC_FIELDS[f]!];
    }
    const cum = new Float64Array(width);
    for (let i = 0; i < width; i++) cum[i] = previous[i]! + daily[i]!;
    out.push({ block, date, cum, daily });
    previous = cum;
  }
  await metrics.put(out);
  await store.doc.send(new DeleteCommand(marker));
  return out.length;
}

export { assignBlocks, importData };
export type { ImportInput, ImportSummary };
