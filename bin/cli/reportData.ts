import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { chunks, mapLimit } from '../../functions/data/batch';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { OrdersRepository } from '../../functions/data/ordersRepository';
import { QuarantineRepository } from '../../functions/data/quarantineRepository';
import { ReferenceRepository, type StoredSeller } from '../../functions/data/referenceRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import type { Store } from '../../functions/data/store';
import { DAILY_SCORE_PACK_SIZE } from '../../functions/data/tables';
import { addMonths, addQuarters, quarterOfMonth } from '../../lib/calendar';
import type { Category } from '../../lib/inputs';
import { parseJsonLine } from '../../lib/jsonLines';
import { listingRecordSchema, type ListingRecord } from '../../lib/listingRecords';
import { gradeRecordSchema, type DailyScoreRecord, type GradeRecord } from '../../lib/records';
import { ABILITY_ORDER, type BadOrder, type ReportTally } from '../../lib/report';
import { UsageError } from './errors';
import { assertReadable } from './files';
import { latestGrowthDate, tallyGrowthOfStore } from './growthOfStore';

/** Requests in flight while the report reads the tables. */
const CONCURRENCY = 16;
/**
 * Packs of daily scores read for a seller page's pool means: the whole pool up to this many (2,048
 * sellers), else as many spread evenly (the mean of 2,048 scores: within ~0.7 points of the pool's).
 */
const POOL_PACKS = 8;

interface Pool {
  means: number[];
  members: number;
  sampled: number;
}

/** What a run of the tables says the report covers: its month, and the months, quarters and day that were graded. */
async function coverage(store: Store, period: string | undefined) {
  const runs = await new RunsRepository(store).list();
  const done = (job: string) => new Set(runs.filter((r) => r.job === job && r.status === 'succeeded' && !r.dryRun).map((r) => r.period));
  const monthly = done('monthly');
  const growthDate = latestGrowthDate(runs, period);
  const month = period ?? [...monthly].sort().at(-1) ?? growthDate?.slice(0, 7);
  if (!month) throw new UsageError('no monthly or growth run has succeeded yet: run one, or give --records FILE');
  const months = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11)).filter((m) => monthly.has(m) || m === month);
  const quarterly = done('quarterly');
  const last = addQuarters(quarterOfMonth(month), -1);
  const quarters = Array.from({ length: 4 }, (_, i) => addQuarters(last, i - 3)).filter((q) => quarterly.has(q));
  const lastDay = [...done('daily')]
    .filter((d) => d.slice(0, 7) <= month)
    .sort()
    .at(-1);
  return { month, months, quarters, lastDay, growthDate };
}

/**
 * Feeds a tally every record the marketplace page counts, read from the tables in batches
 * (queries by period and category, BatchGetItem of 100 keys, daily-score packs) with CONCURRENCY
 * requests in flight; each answer is counted and dropped, so memory holds the tally, not the records.
 */
async function tallyStore(store: Store, tally: ReportTally, period: string | undefined) {
  const [{ month, months, quarters, lastDay, growthDate }, { categories, sellers }] = await Promise.all([
    coverage(store, period),
    new ReferenceRepository(store).snapshot(),
  ]);
  const grades = new GradesRepository(store);
  const packs = new DailyScorePacks(store);
  const add = (records: GradeRecord[]) => {
    for (const r of records) tally.add(r);
  };
  const categoryIds = categories.map((c) => c.categoryId);
  const tasks: (() => Promise<void>)[] = [];
  for (const categoryId of categoryIds) {
    for (const m of months)
      for (const kind of ['operationTier', 'serviceLevel'] as const) tasks.push(async () => add(await grades.listPeriod(kind, m, categoryId)));
    for (const q of quarters) tasks.push(async () => add(await grades.listPeriod('merchantAssessment', q, categoryId)));
    tasks.push(async () => add((await grades.statusesOf([categoryId])).map((s) => s.record)));
  }
  for (const chunk of chunks(sellers, 50))
    tasks.push(async () => add(await grades.getMany(chunk.flatMap((s) => ['goodSellerGrant', 'healthCheck'].map((sk) => ({ sellerId: s.sellerId, sk }))))));
  if (lastDay) {
    const byPack = [...new Set(sellers.map((s) => s.pack))];
    // the page counts daily scores only for the pools' means: only pool and abilities are read of them
    for (const group of chunks(byPack, 4))
      tasks.push(async () => {
        for (const m of await packs.poolMembersOf(group, lastDay)) tally.addDaily(m);
      });
  }
  const [quarantine] = await Promise.all([
    new QuarantineRepository(store).countsBySource(),
    mapLimit(tasks, CONCURRENCY, (task) => task()),
    growthDate ? tallyGrowthOfStore(store, growthDate, (r) => tally.addListing(r)) : null,
  ]);
  return { month, lastDay, quarantine, sellers, categories };
}

/** The records of the sellers a marketplace page holds and their listings' records, one query each, read concurrently. */
async function sellersOfStore(store: Store, sellers: StoredSeller[], lastDay: string | undefined) {
  const grades = new GradesRepository(store);
  const [partitions, daily] = await Promise.all([
    mapLimit(sellers, CONCURRENCY, (s) => grades.partition(s.sellerId)),
    lastDay ? new DailyScorePacks(store).ofSellers(sellers, lastDay) : Promise.resolve([]),
  ]);
  const bySeller = new Map(sellers.map((s, i) => [s.sellerId, partitions[i]!]));
  for (const d of daily) bySeller.get(d.sellerId)?.records.push(d);
  return bySeller;
}

/** A seller's bad-experience orders behind its latest service level (the newest 100), and how many there are. */
async function badOrdersOf(store: Store, records: GradeRecord[], month: string): Promise<{ orders: BadOrder[]; total: number | null }> {
  const service = records
    .filter((r) => r.kind === 'serviceLevel' && r.period <= month)
    .sort((a, b) => ((a as { period: string }).period < (b as { period: string }).period ? 1 : -1))[0];
  if (service?.kind !== 'serviceLevel' || !service.badExperienceRate) return { orders: [], total: null };
  const page = await new OrdersRepository(store).page({
    sellerId: service.sellerId,
    from: service.window.start,
    to: service.window.end,
    badOnly: true,
    limit: 100,
  });
  const orders = page.orders.map((o) => ({ orderId: o.orderId, closedOn: o.closedOn, reasons: o.reasons, excluded: o.excluded }));
  return { orders, total: page.next ? Math.round(service.badExperienceRate * service.closedOrders) : null };
}

/**
 * A seller's records from the tables, for its page: its own items (one query), its daily score
 * (its pack), its pool's means (the pool's packs, POOL_PACKS of them at most) and its bad orders.
 */
async function sellerOfStore(store: Store, sellerId: string, period: string | undefined) {
  const reference = new ReferenceRepository(store);
  const [seller, runs, { records: own, listings }] = await Promise.all([
    reference.seller(sellerId),
    new RunsRepository(store).list(),
    new GradesRepository(store).partition(sellerId),
  ]);
  if (!seller) throw new UsageError(`--seller: no seller ${sellerId} in the tables`);
  const done = (job: string) => runs.filter((r) => r.job === job && r.status === 'succeeded' && !r.dryRun).map((r) => r.period);
  const month =
    period ??
    done('monthly').sort().at(-1) ??
    own
      .flatMap((r) => (r.kind === 'operationTier' ? [r.period] : []))
      .sort()
      .at(-1) ??
    '9999-12';
  const lastDay = done('daily')
    .filter((d) => d.slice(0, 7) <= month)
    .sort()
    .at(-1);
  const packs = new DailyScorePacks(store);
  // its category's packs are counted while its own score is read: most pools are one category
  const counted = new Map(lastDay ? [[seller.categoryId, packCount(packs, seller.categoryId, lastDay)]] : []);
  const [daily, orders] = await Promise.all([
    lastDay ? packs.ofSellers([seller], lastDay) : Promise.resolve([]),
    badOrdersOf(store, own, month),
    ...counted.values(),
  ]);
  const d = daily[0];
  const categories = d?.poolId?.startsWith('cat:') ? [] : await reference.categories();
  const pool = d?.poolId && d.abilities ? await poolOfPacks(store, d.poolId, d.date, categories, counted) : null;
  return { records: [...own, ...daily], listings, month, pool, orders };
}

/** The categories whose sellers a pool draws from (lib/pools.ts: `cat:`, `parent:`, `global`). */
function categoriesOfPool(poolId: string, categories: Category[]): string[] {
  if (poolId.startsWith('cat:')) return [poolId.slice(4)];
  if (poolId.startsWith('parent:')) return categories.filter((c) => c.parentId === poolId.slice(7)).map((c) => c.categoryId);
  return categories.map((c) => c.categoryId);
}

/**
 * How many packs of daily scores a category has on a date, and how many scores they hold: packs are
 * named `<categoryId>#<n>` from 0 up and filled to DAILY_SCORE_PACK_SIZE in turn (data-model.md), so
 * a search of 16 probes a round finds the last one reading a few dozen items, not every pack (a read
 * costs a whole item, projection or not).
 */
async function packCount(packs: DailyScorePacks, categoryId: string, date: string): Promise<{ packs: number; scores: number }> {
  const name = (n: number) => `${categoryId}#${String(n).padStart(3, '0')}`;
  const counted = (last: number, size: number) => ({ packs: last + 1, scores: last * DAILY_SCORE_PACK_SIZE + size });
  let base = 0;
  let baseSize = 0;
  let step = 64;
  for (;;) {
    const probes = Array.from({ length: 16 }, (_, i) => base + i * step);
    const found = await packs.sizes(probes.map(name), date);
    const last = probes.findLastIndex((n) => found.has(name(n)));
    if (last === -1) return base === 0 ? { packs: 0, scores: 0 } : counted(base, baseSize);
    [base, baseSize] = [probes[last]!, found.get(name(probes[last]!))!];
    if (step === 1 && last < 15) return counted(base, baseSize);
    if (last < 15) step = Math.max(1, step / 16);
  }
}

/**
 * A pool's means of the seven abilities on a date, from its packs of daily scores: the whole pool if
 * it spans at most POOL_PACKS packs, else POOL_PACKS packs spread evenly over it — a bounded read
 * whatever the pool's size, the sample and the pool's estimated size named on the page.
 */
async function poolOfPacks(
  store: Store,
  poolId: string,
  date: string,
  categories: Category[],
  counted: Map<string, Promise<{ packs: number; scores: number }>> = new Map(),
): Promise<Pool | null> {
  const packs = new DailyScorePacks(store);
  const counts = await mapLimit(
    categoriesOfPool(poolId, categories),
    CONCURRENCY,
    async (c) => [c, await (counted.get(c) ?? packCount(packs, c, date))] as const,
  );
  const all = counts.flatMap(([c, n]) => Array.from({ length: n.packs }, (_, i) => `${c}#${String(i).padStart(3, '0')}`));
  const picked = all.length <= POOL_PACKS ? all : Array.from({ length: POOL_PACKS }, (_, i) => all[Math.floor((i * all.length) / POOL_PACKS)]!);
  const read = (await mapLimit(chunks(picked, 4), 4, (group) => packs.poolMembersOf(group, date))).flat();
  const members = read.filter((r) => r.poolId === poolId && r.abilities);
  if (members.length === 0) return null;
  // the pool's share of the scores read, over all the scores its packs hold
  const scores = counts.reduce((a, [, n]) => a + n.scores, 0);
  return {
    means: meansOf(members),
    sampled: members.length,
    members: picked.length === all.length ? members.length : Math.round((members.length * scores) / read.length),
  };
}

function meansOf(records: Pick<DailyScoreRecord, 'abilities'>[]): number[] {
  return ABILITY_ORDER.map((a) => Math.round((records.reduce((s, r) => s + r.abilities![a], 0) / records.length) * 10) / 10);
}

const SELLER_OF_LINE = /"sellerId":"([^"]*)"/;

/** A grade record of a `grader score` file, or a UsageError naming the file, the line and the field. */
function gradeRecordOf(file: string, value: unknown, where: string): GradeRecord {
  const parsed = gradeRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file} ${where} is not a grade record: ${issue?.path.join('.') || 'record'}: ${issue?.message}`);
  }
  return parsed.data;
}

const LISTING_KINDS = new Set(['listingStage', 'listingIncentive']);

/** A listing record of a `grader score --job growth` file, or a UsageError naming the file, the line and the field. */
function listingRecordOf(file: string, value: unknown, where: string): ListingRecord {
  const parsed = listingRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file} ${where} is not a listing record: ${issue?.path.join('.') || 'record'}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Every record of a `grader score` file, line by line (quarantine lines counted by source): nothing
 * held but what `each` keeps. `sellers`: only the lines of these sellers are parsed. Listing records
 * (`grader score --job growth`) go to `eachListing`, and are skipped without it.
 */
async function eachRecordOfFile(
  file: string,
  each: (r: GradeRecord) => void,
  sellers?: Set<string>,
  eachListing?: (r: ListingRecord) => void,
): Promise<Record<string, number>> {
  await assertReadable(file);
  const quarantine: Record<string, number> = Object.create(null) as Record<string, number>;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (sellers && !sellers.has(SELLER_OF_LINE.exec(text)?.[1] ?? '')) continue;
    const line = parseJsonLine(text, n);
    if (!line || !('value' in line)) continue;
    const value = line.value as { kind?: unknown; source?: unknown };
    if (value.kind === 'quarantine') quarantine[String(value.source)] = (quarantine[String(value.source)] ?? 0) + 1;
    else if (LISTING_KINDS.has(value.kind as string)) eachListing?.(listingRecordOf(file, value, `line ${n}`));
    else each(gradeRecordOf(file, value, `line ${n}`));
  }
  return quarantine;
}

/**
 * The lines of a file that hold a text, found in its bytes before anything is parsed: a seller's
 * page reads a large `grader score` file at the speed of the disk, parsing only its own lines.
 */
async function linesHolding(file: string, text: string, each: (line: string) => void): Promise<void> {
  const needle = Buffer.from(text);
  const handle = await open(file, 'r');
  try {
    // one buffer, reused: the part of a line a read cut off moves to its start
    let buf = Buffer.allocUnsafe(16 << 20);
    let kept = 0;
    for (;;) {
      if (kept === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const { bytesRead } = await handle.read(buf, kept, buf.length - kept, null);
      const view = buf.subarray(0, kept + bytesRead);
      const end = bytesRead === 0 ? view.length : view.lastIndexOf(10) + 1;
      for (let at = view.indexOf(needle); at !== -1 && at < end; at = view.indexOf(needle, at + 1)) {
        const stop = view.indexOf(10, at);
        each(view.toString('utf8', view.lastIndexOf(10, at) + 1, stop === -1 ? view.length : stop));
        if (stop === -1) break;
        at = stop;
      }
      if (bytesRead === 0) return;
      buf.copyWithin(0, end, view.length);
      kept = view.length - end;
    }
  } finally {
    await handle.close();
  }
}

/**
 * One seller's records in a `grader score` file, and its pool's means on the date of its latest
 * daily score: two scans of the bytes (its lines, then its pool's), parsing only the lines found.
 */
async function sellerOfFile(file: string, sellerId: string) {
  await assertReadable(file);
  const own: GradeRecord[] = [];
  const listings: ListingRecord[] = [];
  await linesHolding(file, `"sellerId":${JSON.stringify(sellerId)}`, (text) => {
    const value = JSON.parse(text) as { kind?: unknown; sellerId?: unknown };
    if (value.kind === 'quarantine' || value.sellerId !== sellerId) return;
    if (LISTING_KINDS.has(value.kind as string)) listings.push(listingRecordOf(file, value, `a line of seller ${sellerId}`));
    else own.push(gradeRecordOf(file, value, `a line of seller ${sellerId}`));
  });
  if (own.length === 0 && listings.length === 0) throw new UsageError(`--seller: no record of ${sellerId} in ${file}`);
  const d = own.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore').sort((a, b) => (a.date < b.date ? 1 : -1))[0];
  let pool: Pool | null = null;
  if (d?.poolId && d.abilities) {
    const members: DailyScoreRecord[] = [];
    await linesHolding(file, `"poolId":${JSON.stringify(d.poolId)}`, (text) => {
      const value = JSON.parse(text) as { kind?: unknown; date?: unknown; poolId?: unknown };
      if (value.kind === 'dailyScore' && value.date === d.date && value.poolId === d.poolId) {
        const r = gradeRecordOf(file, value, 'a daily score of its pool');
        if (r.kind === 'dailyScore' && r.abilities) members.push(r);
      }
    });
    pool = { means: meansOf(members), members: members.length, sampled: members.length };
  }
  return { records: own, listings, pool };
}

export { POOL_PACKS, badOrdersOf, packCount, eachRecordOfFile, gradeRecordOf, poolOfPacks, sellerOfFile, sellerOfStore, sellersOfStore, tallyStore };
