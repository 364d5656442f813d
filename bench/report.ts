/**
 * `npm run bench:report [-- 1000 10000 100000 1000000]`: at each size, the marketplace page's size,
 * the time its first charts take to show in Debian's chromium, and a seller's page written on demand
 * (`grader report --seller`, from the tables and from a records file) with the time its charts take
 * to show. Records: offline scoring of a synthetic marketplace (three monthly runs, a quarter, a day)
 * up to 10,000 sellers; above, the 10,000 scored sellers copied (functions/local/syntheticRecords.ts).
 * Browser times are medians of 5 loads, seller pages of 3 writes.
 *
 * `npm run bench:report -- --tables 100000 [--keep]`: `grader report` from DynamoDB Local holding that
 * many sellers' records: wall time, requests and peak memory of the command (`--keep`: the tables stay
 * up afterwards, for profiling, until the bench is stopped).
 */
import '../bin/cli/warnings';
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { marketplacePage } from '../bin/report/render';
import { batchPut, chunks } from '../functions/data/batch';
import { DailyScorePacks } from '../functions/data/dailyScorePacks';
import { gradeItem, serialize } from '../functions/data/gradesRepository';
import { ReferenceRepository, type StoredSeller } from '../functions/data/referenceRepository';
import { RunsRepository } from '../functions/data/runsRepository';
import { openStore, type Store } from '../functions/data/store';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { categoriesFor, syntheticRecords } from '../functions/local/syntheticRecords';
import { scoreOffline } from '../functions/offlineScore';
import type { SellerJob } from '../lib/calendar';
import { DEFAULT_POLICY } from '../lib/policy';
import type { DailyScoreRecord, GradeRecord } from '../lib/records';
import { poolOf, ReportTally, sellerView, type SellerView } from '../lib/report';

const args = process.argv.slice(2);
const tablesAt = args.includes('--tables') ? Number(args[args.indexOf('--tables') + 1]) : null;
const sizes = args.filter((a, i) => args[i - 1] !== '--tables' && Number(a) > 0).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'grader-bench-report-'));
const PERIOD = '2026-07';
const DAY = '2026-07-31';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
/** The heap in use after a full collection (npm run bench:report runs node --expose-gc). */
const heapAfterGc = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

/** Scores a synthetic marketplace offline: the records `grader score` would write for three months, a quarter and a day. */
async function scored(sellers: number): Promise<GradeRecord[]> {
  const market = syntheticMarketplace({ sellers, from: '2026-01-01', to: '2026-07-31', seed: 5 });
  async function* rows() {
    yield* rowsOver(market, { start: '2026-01-01', end: '2026-07-31' });
  }
  const records: GradeRecord[] = [];
  const run = async (job: SellerJob, period: string) => {
    const data = { categories: market.categories, sellers: market.sellers, grants: market.grants, metrics: rows() };
    records.push(...(await scoreOffline(job, period, data, { policy: DEFAULT_POLICY, now: `${DAY}T12:00:00Z` })).records);
  };
  for (const month of ['2026-05', '2026-06', '2026-07']) await run('monthly', month);
  await run('quarterly', '2026-Q2');
  await run('daily', DAY);
  return records;
}

interface Seller {
  sellerId: string;
  categoryId: string;
  pack: string;
}

let template: GradeRecord[] | undefined;
/** A marketplace of `n` sellers, one seller's records at a time (the same sellers on every pass). */
async function marketplace(n: number): Promise<{ each: (fn: (seller: Seller, records: GradeRecord[]) => void) => void }> {
  if (n <= 10_000) {
    const records = n === 10_000 ? (template ??= await scored(10_000)) : await scored(n);
    const bySeller = new Map<string, GradeRecord[]>();
    for (const r of records) (bySeller.get(r.sellerId) ?? bySeller.set(r.sellerId, []).get(r.sellerId)!).push(r);
    const fill = new Map<string, number>();
    const sellers = [...bySeller].map(([sellerId, rs]) => {
      const categoryId = rs[0]!.categoryId;
      const k = fill.get(categoryId) ?? 0;
      fill.set(categoryId, k + 1);
      return { seller: { sellerId, categoryId, pack: `${categoryId}#${String(Math.floor(k / 256)).padStart(3, '0')}` }, records: rs };
    });
    return { each: (fn) => sellers.forEach((s) => fn(s.seller, s.records)) };
  }
  template ??= await scored(10_000);
  return {
    each: (fn) => {
      let seller: Seller | undefined;
      for (const rs of syntheticRecords(template!, { sellers: n, onSeller: (s) => (seller = s) })) fn(seller!, rs);
    },
  };
}

/** Succeeded runs for the months, quarter and day the records cover, as the report reads them. */
async function markRuns(store: Store): Promise<void> {
  const runs = new RunsRepository(store);
  const now = new Date().toISOString();
  for (const [job, period] of [
    ['monthly', '2026-05'],
    ['monthly', '2026-06'],
    ['monthly', PERIOD],
    ['quarterly', '2026-Q2'],
    ['daily', DAY],
  ] as const) {
    const claim = await runs.claim(
      {
        runId: `bench-${job}-${period}`,
        job,
        period,
        trigger: 'operator',
        requestedBy: 'bench',
        reason: 'bench:report',
        asOf: DAY,
        policyVersion: DEFAULT_POLICY.version,
        statusPolicyVersion: null,
        dryRun: false,
        sellers: null,
        categories: null,
        startedAt: now,
        leaseUntil: now,
        owner: 'bench',
      },
      now,
    );
    await runs.finish(claim.run, { status: 'succeeded', counts: { sellers: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0 } }, now);
  }
}

const profile = (s: Seller, i: number): StoredSeller => ({
  sellerId: s.sellerId,
  categoryId: s.categoryId,
  storeType: 'official',
  openedOn: '2024-01-01',
  block: `block-${String(Math.floor(i / 256)).padStart(4, '0')}`,
  slot: i % 256,
  pack: s.pack,
});

/** Writes sellers' records as stored: grade items in batches, daily scores in their packs. */
async function load(store: Store, sellers: Seller[], records: GradeRecord[]): Promise<void> {
  const now = new Date().toISOString();
  const packOf = new Map(sellers.map((s) => [s.sellerId, s.pack]));
  const daily = records.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore');
  const items = records.filter((r) => r.kind !== 'dailyScore').map((r) => gradeItem(r, serialize(r), now));
  for (const part of chunks(items, 20_000)) await batchPut(store.doc, store.tables.grades, part, store.stats);
  for (const part of chunks(daily, 20_000))
    await new DailyScorePacks(store).writeChanged(part, (id) => packOf.get(id)!, { knownAbsent: true, now, runId: 'bench-daily' });
}

async function browserTimes(browser: Browser, file: string, loads: number, open?: string) {
  const first: number[] = [];
  const paint: number[] = [];
  const opened: number[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => (window as unknown as { REPORT_DONE?: boolean }).REPORT_DONE === true);
    const [f, p] = await page.evaluate(() => [
      (window as unknown as { REPORT_FIRST_CHARTS: number }).REPORT_FIRST_CHARTS,
      performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    ]);
    first.push(f!);
    paint.push(p!);
    if (open) {
      const t0 = Date.now();
      await page.fill('#q', open);
      await page.click('#search button[type="submit"]');
      await page.waitForSelector('[data-chart="sellerComposite"] svg');
      opened.push(Date.now() - t0);
    }
    await page.close();
  }
  return { first: median(first), paint: median(paint), opened: opened.length ? median(opened) : null };
}

/**
 * `grader report --seller …` as an operator runs it, three times (medians) after one run that warms
 * a freshly started DynamoDB Local's JVM: the time the command reports (loading ECharts, reading,
 * drawing, writing) and the wall time with Node's and tsx's start.
 */
async function sellerCommand(args: string[], endpoint?: string): Promise<{ command: number; wall: number; requests: number | null }> {
  const runs: { command: number; wall: number; requests: number | null }[] = [];
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, '..', 'bin', 'grader.ts'), 'report', ...args],
      {
        env: { ...process.env, ...(endpoint ? { GRADER_DYNAMODB_ENDPOINT: endpoint } : {}) },
      },
    );
    const wall = performance.now() - t;
    const requests = /with (\d+) requests/.exec(stdout)?.[1];
    if (i > 0) runs.push({ command: Number(/ in ([\d.]+) s/.exec(stdout)![1]) * 1000, wall, requests: requests ? Number(requests) : null });
  }
  return { command: median(runs.map((r) => r.command)), wall: median(runs.map((r) => r.wall)), requests: runs[0]!.requests };
}

async function sizesBench(): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    for (const n of sizes.length ? sizes : [1000, 10_000, 100_000, 1_000_000]) {
      const market = await marketplace(n);
      const heapBefore = heapAfterGc();
      const t0 = performance.now();
      const tally = new ReportTally(PERIOD);
      market.each((_, rs) => {
        for (const r of rs) tally.add(r);
      });
      const model = tally.marketplace({ policy: DEFAULT_POLICY });
      const tallied = performance.now() - t0;
      const tallyHeap = heapAfterGc() - heapBefore;
      const named = new Set(tally.inlined(model));
      // the second pass: the named sellers' records; the largest category's sellers and daily scores
      // (the pool a seller page reads); a seller of it not named on the page; the records file
      const largest = model.categories[0]!.categoryId;
      const views: SellerView[] = [];
      const pool: { sellers: Seller[]; daily: GradeRecord[] } = { sellers: [], daily: [] };
      let chosen: { seller: Seller; records: GradeRecord[] } | undefined;
      const recordsFile = join(dir, `records-${n}.jsonl`);
      const file = n <= 100_000 ? createWriteStream(recordsFile) : null;
      let buffered: string[] = [];
      market.each((seller, rs) => {
        if (named.has(seller.sellerId)) views.push(sellerView(seller.sellerId, rs, { period: PERIOD, pool: poolOf(tally.pools, rs) }));
        if (seller.categoryId === largest) {
          pool.sellers.push(seller);
          pool.daily.push(...rs.filter((r) => r.kind === 'dailyScore'));
          if (!named.has(seller.sellerId) && rs.some((r) => r.kind === 'dailyScore' && r.abilities)) chosen = { seller, records: rs };
        }
        if (file) {
          for (const r of rs) buffered.push(JSON.stringify(r));
          if (buffered.length > 10_000) {
            file.write(`${buffered.join('\n')}\n`);
            buffered = [];
          }
        }
      });
      if (file) await new Promise<void>((done) => file.end(`${buffered.join('\n')}\n`, () => done()));
      const t1 = performance.now();
      const html = marketplacePage(model, views, {
        seller: 'grader report --seller {id} --out {id}.html',
        cell: 'grader migration --since {since} --period {period} --from {from} --to {to} --format csv',
        categories: 'grader export --kind operationTier --period {period} --format csv --out tiers-{period}.csv',
        orders: 'grader orders --seller {id} --from {from} --to {to} --bad-only --format csv',
        listings: null,
        moves: null,
      });
      const rendered = performance.now() - t1;
      const pagePath = join(dir, `report-${n}.html`);
      writeFileSync(pagePath, html);
      const shown = await browserTimes(browser, pagePath, 5, views[views.length - 1]!.sellerId);

      // a seller's page from the tables: its own items, its category's packs (the largest pool), the runs
      const embedded = await startEmbeddedStore();
      const store = openStore({ endpoint: embedded.endpoint, env: {} });
      try {
        await new ReferenceRepository(store).putCategories(categoriesFor(n));
        await new ReferenceRepository(store).putSellers([profile(chosen!.seller, 0)]);
        await load(store, [...pool.sellers, chosen!.seller], [...chosen!.records.filter((r) => r.kind !== 'dailyScore'), ...pool.daily]);
        await markRuns(store);
        const sellerPath = join(dir, `seller-${n}.html`);
        const sellerId = chosen!.seller.sellerId;
        const fromTables = await sellerCommand(['--seller', sellerId, '--out', sellerPath], embedded.endpoint);
        const fromFile =
          n <= 100_000 ? await sellerCommand(['--seller', sellerId, '--records', recordsFile, '--out', join(dir, `seller-${n}-file.html`)]) : null;
        const sellerShown = await browserTimes(browser, sellerPath, 5);
        console.log(
          `${n.toLocaleString('en-US')} sellers: page ${mb(Buffer.byteLength(html))} (${views.length} seller views inlined; tallied in ${ms(tallied)}, the tally holding ${mb(tallyHeap)}, drawn in ${ms(rendered)}), ` +
            `first charts ${ms(shown.first)} (first paint ${ms(shown.paint)}), an inlined seller opened ${ms(shown.opened!)}; ` +
            `grader report --seller ${sellerId} (pool of ${pool.sellers.length.toLocaleString('en-US')}) from the tables ${ms(fromTables.command)} in the command, ${ms(fromTables.wall)} with Node's start (${fromTables.requests} requests), ` +
            `${fromFile ? `from a ${mb(statSync(recordsFile).size)} records file ${ms(fromFile.command)} (${ms(fromFile.wall)}), ` : ''}` +
            `its charts shown ${ms(sellerShown.first)}; peak RSS so far ${mb(peakRss())}`,
        );
      } finally {
        store.client.destroy();
        await embedded.stop();
      }
    }
  } finally {
    await browser.close();
  }
}

/** `grader report` from DynamoDB Local holding `n` sellers' records, run as the CLI: wall time, requests, peak memory. */
async function tablesBench(n: number): Promise<void> {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  try {
    const t0 = performance.now();
    const market = await marketplace(n);
    const sellers: Seller[] = [];
    let batch: { sellers: Seller[]; records: GradeRecord[] } = { sellers: [], records: [] };
    const pending: Promise<void>[] = [];
    market.each((seller, rs) => {
      sellers.push(seller);
      batch.sellers.push(seller);
      batch.records.push(...rs);
      if (batch.records.length >= 50_000) {
        pending.push(load(store, batch.sellers, batch.records));
        batch = { sellers: [], records: [] };
      }
    });
    pending.push(load(store, batch.sellers, batch.records));
    await Promise.all(pending);
    await new ReferenceRepository(store).putCategories(categoriesFor(n));
    await new ReferenceRepository(store).putSellers(sellers.map(profile));
    await markRuns(store);
    console.log(
      `loaded ${n.toLocaleString('en-US')} sellers (${store.stats.itemsWritten.toLocaleString('en-US')} items) into DynamoDB Local in ${ms(performance.now() - t0)}`,
    );
    for (let i = 0; i < 2; i++) {
      const out = join(dir, `report-tables-${n}.html`);
      const { stdout, stderr } = await promisify(execFile)(
        '/usr/bin/time',
        [
          '-f',
          '%e s wall, %M KB peak RSS',
          process.execPath,
          '--import',
          'tsx',
          resolve(import.meta.dirname, '..', 'bin', 'grader.ts'),
          'report',
          '--out',
          out,
        ],
        { env: { ...process.env, GRADER_DYNAMODB_ENDPOINT: embedded.endpoint }, maxBuffer: 1 << 24 },
      );
      console.log(`grader report at ${n.toLocaleString('en-US')} sellers: ${stdout.trim()}; ${stderr.trim().split('\n').at(-1)}`);
    }
    if (args.includes('--keep')) {
      console.log(`DynamoDB Local stays up at ${embedded.endpoint} (GRADER_DYNAMODB_ENDPOINT) until this process is stopped`);
      await new Promise((stop) => process.once('SIGTERM', stop).once('SIGINT', stop));
    }
  } finally {
    store.client.destroy();
    await embedded.stop();
  }
}

if (tablesAt) await tablesBench(tablesAt);
else await sizesBench();
