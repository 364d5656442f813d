import { withStore, type Store } from '../../functions/composition';
import { policyFromEnvironment } from '../../functions/environment';
import { marketplaceReport, sellerReport as sellerReportAction } from '../../functions/reportActions';
import { isMonth } from '../../lib/calendar';
import { InputError } from '../../lib/errors';
import type { Policy } from '../../lib/policy';
import type { ListingRecord } from '../../lib/listingRecords';
import type { GradeRecord } from '../../lib/records';
import { compareModel, poolOf, ReportTally, sellerView, viewConstants } from '../../lib/report';
import { nodeDraw } from '../report/draw';
import type { Commands, Draw } from '../report/html';
import { comparePage, marketplacePage, sellerPage } from '../report/render';
import { UsageError } from './errors';
import { writeOutput } from './files';
import { eachRecordOfFile, sellerOfFile } from './reportData';

/** A path as one shell word. */
const shellWord = (s: string) => (/^[\w./@:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The commands a page names for what it does not hold, reading where the page was read from. */
function commandsFor(records: string | undefined): Commands {
  const from = records ? ` --records ${shellWord(records)}` : '';
  return {
    seller: `grader report --seller {id}${from} --out {id}.html`,
    cell: `grader migration --since {since} --period {period} --from {from} --to {to}${from} --format csv`,
    categories: records ? null : 'grader export --kind operationTier --period {period} --format csv --out tiers-{period}.csv',
    orders: 'grader orders --seller {id} --from {from} --to {to} --bad-only --format csv',
    listings: `grader listings --seller {id}${from} --format csv`,
    moves: records ? `grader listings --moved-on {date} --from {from} --to {to}${from} --format csv` : null,
  };
}

/**
 * The marketplace page (issue 22): aggregates and bounded lists, whatever the number of sellers,
 * with the views of the sellers it names; read from the tables or streamed from a records file.
 */
async function marketplace(options: { store?: Store; policy: Policy; period?: string; records?: string }): Promise<string> {
  const commands = commandsFor(options.records);
  if (options.records) {
    const file = options.records;
    const tally = new ReportTally(options.period);
    const quarantine = await eachRecordOfFile(
      file,
      (r) => tally.add(r),
      undefined,
      (r) => tally.addListing(r),
    );
    const model = tally.marketplace({ policy: options.policy, quarantine });
    const named = new Set(tally.inlined(model));
    const bySeller = new Map<string, GradeRecord[]>([...named].map((id) => [id, []]));
    const listingsOf = new Map<string, ListingRecord[]>();
    await eachRecordOfFile(
      file,
      (r) => bySeller.get(r.sellerId)?.push(r),
      named,
      model.growth ? (r) => (listingsOf.get(r.sellerId) ?? listingsOf.set(r.sellerId, []).get(r.sellerId)!).push(r) : undefined,
    );
    // the views the page holds count their listings by stage; the seller's own page lists them
    const views = [...bySeller].map(([id, records]) =>
      sellerView(id, records, {
        period: model.period,
        pool: poolOf(tally.pools, records),
        ...(model.growth ? { listings: listingsOf.get(id) ?? [], listedListings: 0 } : {}),
      }),
    );
    return marketplacePage(model, views, commands);
  }
  const { model, views } = await inFlags(
    marketplaceReport(
      { action: 'marketplaceReport', ...(options.period ? { period: options.period } : {}) },
      { store: options.store!, policy: options.policy },
    ),
  );
  return marketplacePage(model, views, commands);
}

/** One seller's page (issue 22), from the tables or a records file: everything its view on the marketplace page shows. */
async function sellerReport(options: { store?: Store; policy: Policy; period?: string; records?: string; seller: string }): Promise<string> {
  const shared = viewConstants(options.policy);
  const commands = commandsFor(options.records);
  // ECharts loads (~0.2-0.4 s) while the file or the tables are read
  const drawing = new Promise<Draw>((resolve) => setTimeout(() => resolve(nodeDraw()), 0));
  if (options.records) {
    const [draw, { records, listings, pool }] = await Promise.all([drawing, sellerOfFile(options.records, options.seller)]);
    const period =
      options.period ??
      records
        .flatMap((r) => (r.kind === 'operationTier' ? [r.period] : []))
        .sort()
        .at(-1) ??
      listings
        .flatMap((r) => (r.kind === 'listingStage' ? [r.asOf.slice(0, 7)] : []))
        .sort()
        .at(-1) ??
      '9999-12';
    return sellerPage(sellerView(options.seller, records, { period, pool, ...(listings.length > 0 ? { listings } : {}) }), shared, commands, period, draw);
  }
  const [draw, { view, period }] = await Promise.all([
    drawing,
    inFlags(
      sellerReportAction(
        { action: 'sellerReport', sellerId: options.seller, ...(options.period ? { period: options.period } : {}) },
        { store: options.store!, policy: options.policy },
      ),
    ),
  ]);
  return sellerPage(view, shared, commands, period, draw);
}

/** The report actions' refusals in the words of the flags. */
async function inFlags<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const reason = e.message.slice(`${e.field}: `.length);
    if (e.field === 'sellerId') throw new UsageError(`--seller: ${reason}`, { cause: e });
    if (e.field === 'period') throw new UsageError(`${reason}, or give --records FILE`, { cause: e });
    throw e;
  }
}

/** The grade records of a whole `grader score` file, for the what-if. */
async function recordsOfFile(file: string): Promise<GradeRecord[]> {
  const records: GradeRecord[] = [];
  await eachRecordOfFile(file, (r) => records.push(r));
  return records;
}

/** `grader report [--period M] [--records FILE] [--seller S] [--compare CURRENT DRAFT] --out FILE`. */
async function report(options: {
  store?: Store;
  policy: Policy;
  period?: string;
  records?: string;
  seller?: string;
  compare?: [string, string];
  out: string;
}): Promise<string> {
  if (options.period !== undefined && !isMonth(options.period)) throw new UsageError(`--period must be YYYY-MM (got ${options.period})`);
  let html: string;
  const requests = options.store?.stats.requests ?? 0;
  const started = performance.now();
  if (options.compare) {
    const [current, draft] = await Promise.all(options.compare.map(recordsOfFile));
    html = comparePage(`What-if: ${options.compare[0]} → ${options.compare[1]}`, compareModel(current!, draft!));
  } else if (options.seller !== undefined) html = await sellerReport({ ...options, seller: options.seller });
  else html = await marketplace(options);
  writeOutput(options.out, html);
  const read = options.store && !options.compare ? `, read from the tables with ${options.store.stats.requests - requests} requests` : '';
  return `wrote ${options.out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KB) in ${((performance.now() - started) / 1000).toFixed(2)} s${read}; open it in a browser, no network needed`;
}

const SELLER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The CLI's flags: --out, and --records FILE (offline), --compare CURRENT DRAFT, or the tables; --seller S for one seller's page. */
async function reportCommand(v: Record<string, string | boolean | undefined>, positionals: string[]): Promise<string> {
  const period = typeof v.period === 'string' ? v.period : undefined;
  const seller = typeof v.seller === 'string' ? v.seller : undefined;
  if (v.seller !== undefined && (seller === undefined || !SELLER_ID.test(seller)))
    throw new UsageError(`--seller must be a seller id (got ${String(v.seller)})`);
  const out = typeof v.out === 'string' ? v.out : seller ? `${seller}.html` : undefined;
  if (out === undefined) throw new UsageError('--out FILE is required');
  const policy = policyFromEnvironment();
  const common = { policy, out, ...(period ? { period } : {}), ...(seller ? { seller } : {}) };
  if (typeof v.compare === 'string') {
    const draft = positionals[0];
    if (!draft) throw new UsageError('--compare needs two files: --compare current.jsonl draft.jsonl');
    return report({ policy, compare: [v.compare, draft], out });
  }
  if (typeof v.records === 'string') return report({ ...common, records: v.records });
  return withStore({ aws: v.aws === true }, (store) => report({ ...common, store }));
}

export { report, reportCommand };
