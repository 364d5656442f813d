import { z } from 'zod';
import { addMonths, addQuarters, isMonth, quarterOfMonth } from '../lib/calendar';
import { sellerIdSchema } from '../lib/inputs';
import type { GradeRecord } from '../lib/records';
import { poolOf, ReportTally, sellerView, type BadOrder, type MarketplaceModel, type SellerView } from '../lib/report';
import { answerSchema } from './answers';
import { chunks, mapLimit } from './data/batch';
import { DailyScorePacks } from './data/dailyScorePacks';
import { GradesRepository } from './data/gradesRepository';
import { OrdersRepository } from './data/ordersRepository';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository, type StoredSeller } from './data/referenceRepository';
import { RunsRepository } from './data/runsRepository';
import type { Store } from './data/store';
import type { HandlerDependencies } from './environment';
import { BadRequestError } from './middleware';
import { latestGrowthDate, tallyGrowthOfStore } from './reportGrowth';
import { packCount, poolOfPacks } from './reportPools';

/** Requests in flight while the report reads the tables. */
const CONCURRENCY = 16;

const month = z.string().refine(isMonth, 'must be YYYY-MM');

/**
 * The grading report's data from the tables (issue 22): the marketplace page's aggregates and the
 * views of the sellers it names, or one seller's view. Read in batches with CONCURRENCY requests in
 * flight, they are actions of the CLI, which renders the pages, not of the operator Lambda: a
 * marketplace's read outlasts a synchronous invocation.
 */
const marketplaceReportSchema = z.object({ action: z.literal('marketplaceReport'), period: month.optional() }).strict();
const sellerReportSchema = z.object({ action: z.literal('sellerReport'), sellerId: sellerIdSchema, period: month.optional() }).strict();

const marketplaceReportAnswerSchema = answerSchema(z.literal('marketplaceReport'), { model: z.custom<MarketplaceModel>(), views: z.custom<SellerView[]>() });
const sellerReportAnswerSchema = answerSchema(z.literal('sellerReport'), { period: z.string(), view: z.custom<SellerView>() });

type ReportDependencies = Pick<HandlerDependencies, 'store' | 'policy'>;

/** What a run of the tables says the report covers: its month, and the months, quarters and day that were graded. */
async function coverage(store: Store, period: string | undefined) {
  const runs = await new RunsRepository(store).list();
  const done = (job: string) => new Set(runs.filter((r) => r.job === job && r.status === 'succeeded' && !r.dryRun).map((r) => r.period));
  const monthly = done('monthly');
  const growthDate = latestGrowthDate(runs, period);
  const last = period ?? [...monthly].sort().at(-1) ?? growthDate?.slice(0, 7);
  if (!last) throw new BadRequestError('period', 'no monthly or growth run has succeeded yet: run one');
  const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11)).filter((m) => monthly.has(m) || m === last);
  const quarterly = done('quarterly');
  const lastQuarter = addQuarters(quarterOfMonth(last), -1);
  const quarters = Array.from({ length: 4 }, (_, i) => addQuarters(lastQuarter, i - 3)).filter((q) => quarterly.has(q));
  const lastDay = [...done('daily')]
    .filter((d) => d.slice(0, 7) <= last)
    .sort()
    .at(-1);
  return { month: last, months, quarters, lastDay, growthDate };
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
  if (!seller) throw new BadRequestError('sellerId', `no seller ${sellerId} in the tables`);
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

/** The marketplace page's model and the views of the sellers it names, in seller id order. */
async function marketplaceReport(r: z.infer<typeof marketplaceReportSchema>, deps: ReportDependencies): Promise<z.infer<typeof marketplaceReportAnswerSchema>> {
  const tally = new ReportTally(r.period);
  const read = await tallyStore(deps.store, tally, r.period);
  const model = tally.marketplace({ policy: deps.policy, quarantine: read.quarantine });
  if (model.growth) model.growth.source = 'tables';
  const named = new Set(tally.inlined(model));
  const records = await sellersOfStore(
    deps.store,
    read.sellers.filter((s) => named.has(s.sellerId)),
    read.lastDay,
  );
  const views = await mapLimit([...records], CONCURRENCY, async ([id, { records: own, listings }]) => {
    const orders = await badOrdersOf(deps.store, own, model.period);
    return sellerView(id, own, {
      period: model.period,
      pool: poolOf(tally.pools, own),
      badOrders: orders.orders,
      badOrdersTotal: orders.total,
      // the views the page holds count their listings by stage; the seller's own page lists them
      ...(model.growth ? { listings, listedListings: 0 } : {}),
    });
  });
  return { ok: true, action: 'marketplaceReport', model, views: views.sort((a, b) => (a.sellerId < b.sellerId ? -1 : 1)) };
}

/** One seller's view, everything its view on the marketplace page shows, and the month it is of. */
async function sellerReport(r: z.infer<typeof sellerReportSchema>, deps: ReportDependencies): Promise<z.infer<typeof sellerReportAnswerSchema>> {
  const read = await sellerOfStore(deps.store, r.sellerId, r.period);
  const view = sellerView(r.sellerId, read.records, {
    period: read.month,
    pool: read.pool,
    badOrders: read.orders.orders,
    badOrdersTotal: read.orders.total,
    ...(read.listings.length > 0 ? { listings: read.listings } : {}),
  });
  return { ok: true, action: 'sellerReport', period: read.month, view };
}

export { marketplaceReport, marketplaceReportAnswerSchema, marketplaceReportSchema, sellerReport, sellerReportAnswerSchema, sellerReportSchema };
