import './cli/warnings';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { report } from './cli/report';
import { GradesRepository } from '../functions/data/gradesRepository';
import { ReferenceRepository } from '../functions/data/referenceRepository';
import { openStore } from '../functions/data/store';
import { DEFAULT_POLICY } from '../lib/policy';
import { assertJava, startEmbeddedStore } from '../functions/local/embeddedStore';
import type { FiredRun } from '../functions/local/simulate';
import { importStartYear, metricsFromOf, simulateStartYear } from '../functions/local/startYear';
import { GrowthStates } from '../functions/data/growthStates';
import { ListingRecordsRepository } from '../functions/data/listingRecordsRepository';
import { ListingsRepository } from '../functions/data/listingsRepository';
import { LISTING_STAGES } from '../lib/growthIndicators';
import type { ListingIncentiveRecord } from '../lib/listingRecords';
import { addMonths, addQuarters, JOBS, monthOf, quarterOfMonth } from '../lib/calendar';
import { AREAS } from '../lib/healthCheck';
import { MERCHANT_TIERS } from '../lib/merchantTier';
import { OPERATION_TIERS } from '../lib/operationTier';
import { SERVICE_LEVELS } from '../lib/serviceLevel';
import { SEVERITIES } from '../lib/severity';
import { isPeriodKind, type GradeRecord } from '../lib/records';
import { fanOutLine } from './cli/commands';
import { progressBar } from './cli/progress';

/**
 * `npm start`: a fresh embedded store, a deterministic synthetic marketplace with 14 months of
 * metrics, every schedule of the last 12 of them through the real handlers, and a summary.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sellers: { type: 'string' },
      'listings-per-seller': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      inline: { type: 'boolean' },
    },
  });
  const sellers = Number(values.sellers ?? 1000);
  const listingsPerSeller = Number(values['listings-per-seller'] ?? 10);
  const from = values.from ?? '2025-11-01';
  const to = values.to ?? '2026-10-31';
  const metricsFrom = metricsFromOf({ sellers, listingsPerSeller, from, to });
  const started = performance.now();
  const stage = (label: string, t0: number) => process.stdout.write(`${label.padEnd(44)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s\n`);

  assertJava();
  let t = performance.now();
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint });
  stage('started DynamoDB Local (in memory)', t);
  try {
    t = performance.now();
    const year = { sellers, listingsPerSeller, from, to };
    const bar = progressBar('import', 0);
    const { summary, onFeed, feedFrom } = await importStartYear(store, year, {
      policy: DEFAULT_POLICY,
      now: new Date().toISOString(),
      onRows: (n) => bar.tick(n),
    });
    bar.stop();
    stage(`imported ${summary.sellers} sellers, ${summary.metricRows} metric rows, ${summary.listings} listings (${metricsFrom}..${to})`, t);
    const o = summary.orders!;
    process.stdout.write(
      `  order outcomes of ${onFeed.size} sellers from ${feedFrom}: ${o.outcomes} folded (${o.corrected} corrected, ${o.moved} moved, ${o.repeats} repeats), ${o.excluded} excluded on appeal, ${o.conflicts} conflicts; ${summary.quarantined} lines quarantined\n`,
    );

    t = performance.now();
    const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
    const dayBar = progressBar('simulate', days);
    const { runs, queue, tap } = await simulateStartYear(store, year, {
      policy: DEFAULT_POLICY,
      now: () => new Date().toISOString(),
      onRun: (r) => r.job === 'daily' && dayBar.tick(1),
      simulate: { fanOut: values.inline ? false : {} },
    });
    dayBar.stop();
    stage(`simulated ${from}..${to}: ${runs.length} runs`, t);

    process.stdout.write(`\n${await summarize(store, runs, from, to)}\n`);
    process.stdout.write(`\n${await summarizeGrowth(store, from, to)}\n`);
    const published = [...tap.counts].sort(([a], [b]) => (a < b ? -1 : 1));
    process.stdout.write(
      `change events of the year (what the ChangeEvents consumer publishes; grader watch shows them live): ${published.reduce((a, [, n]) => a + n, 0)}, ${tap.invalid.length === 0 ? 'each matching its schema' : `${tap.invalid.length} NOT matching their schema: ${tap.invalid.slice(0, 3).join(', ')}`}\n  ${published.map(([type, n]) => `${type} ${n}`).join(', ')}\n`,
    );
    if (tap.invalid.length > 0) throw new Error('change events that do not match their schema: a bug');
    process.stdout.write(`${queue ? fanOutLine(queue) : 'shards evaluated inline (--inline)'}\n`);
    t = performance.now();
    mkdirSync(resolve('.grader'), { recursive: true });
    const reportPath = resolve('.grader', 'report.html');
    await report({ store, policy: DEFAULT_POLICY, out: reportPath });
    stage(`wrote the report: open ${reportPath}`, t);
    const unfinished = runs.filter((r) => r.state !== 'succeeded');
    if (unfinished.length > 0) throw new Error(`runs that did not succeed: ${unfinished.map((r) => `${r.runId} ${r.state}`).join(', ')}`);
    stage('\ntotal', started);
  } finally {
    store.client.destroy();
    await embedded.stop();
  }
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

function table(title: string, columns: readonly string[], rows: [string, Map<string, number>][]): string {
  const width = Math.max(9, ...columns.map((c) => c.length + 1));
  const head = `${title.padEnd(10)}${columns.map((c) => c.padStart(width)).join('')}`;
  return [head, ...rows.map(([label, counts]) => `${label.padEnd(10)}${columns.map((c) => String(counts.get(c) ?? 0).padStart(width)).join('')}`)].join('\n');
}

/** The summary a person reads at a glance: tiers per month, merchant tiers per quarter, grants, labels, timings. */
async function summarize(store: ReturnType<typeof openStore>, runs: FiredRun[], from: string, to: string): Promise<string> {
  const grades = new GradesRepository(store);
  const reference = new ReferenceRepository(store);
  const [sellers, categories] = await Promise.all([reference.sellers(), reference.categories()]);
  // period records through the index, category by category (range reads); the rest by key
  const read = async (sk: string): Promise<GradeRecord[]> => {
    const [kind, period] = sk.split('#');
    if (isPeriodKind(kind)) {
      return grades.listPeriodIn(
        kind,
        period!,
        categories.map((c) => c.categoryId),
      );
    }
    if (kind === 'status') return (await grades.statusesOf(categories.map((c) => c.categoryId))).map((s) => s.record);
    return grades.getMany(sellers.map((s) => ({ sellerId: s.sellerId, sk })));
  };
  const out: string[] = [];

  const months: string[] = [];
  for (let m = monthOf(from); m <= monthOf(to); m = addMonths(m, 1)) months.push(m);
  const tierRows: [string, Map<string, number>][] = [];
  for (const m of months) tierRows.push([m, countBy(await read(`operationTier#${m}`), (r) => (r.kind === 'operationTier' ? r.tier : '?'))]);
  out.push(table('tier', OPERATION_TIERS, tierRows));

  const quarters = [...new Set(runs.filter((r) => r.job === 'quarterly').map((r) => addQuarters(quarterOfMonth(r.scheduledTime.slice(0, 7)), -1)))];
  const merchantRows: [string, Map<string, number>][] = [];
  for (const q of quarters)
    merchantRows.push([q, countBy(await read(`merchantAssessment#${q}`), (r) => (r.kind === 'merchantAssessment' ? r.assessedTier : '?'))]);
  out.push('', table('merchant', MERCHANT_TIERS, merchantRows));

  const service = await read(`serviceLevel#${monthOf(to)}`);
  out.push('', table('service', SERVICE_LEVELS, [[monthOf(to), countBy(service, (r) => (r.kind === 'serviceLevel' ? r.level : '?'))]]));

  const grants = (await read('goodSellerGrant')).filter((r): r is Extract<GradeRecord, { kind: 'goodSellerGrant' }> => r.kind === 'goodSellerGrant');
  const statuses = (await read('status')).filter((r): r is Extract<GradeRecord, { kind: 'status' }> => r.kind === 'status');
  out.push(
    '',
    `China Good Seller grants: ${grants.length} (${[...countBy(grants, (g) => g.status)].map(([s, n]) => `${n} ${s}`).join(', ')}); expired within the simulation: ${grants.filter((g) => g.endedOn && g.endedOn >= from && g.endedOn <= to && g.status === 'expired').length}`,
  );
  out.push(
    `storefront labels on ${to}: ${[...countBy(statuses, (s) => s.frontBadge ?? 'none')]
      .sort()
      .map(([b, n]) => `${b} ${n}`)
      .join(', ')}`,
  );
  out.push(
    `effective merchant tier on ${to}: ${[
      ...countBy(statuses, (s) => `${s.merchantTier.effective}${s.merchantTier.source === 'goodSeller' ? ' (Good Seller)' : ''}`),
    ]
      .sort()
      .map(([b, n]) => `${b} ${n}`)
      .join(', ')}`,
  );

  const health = (await read('healthCheck')).flatMap((r) => (r.kind === 'healthCheck' ? r.findings : []));
  out.push(
    '',
    table(
      'findings',
      SEVERITIES,
      AREAS.map((area) => [
        area,
        countBy(
          health.filter((f) => f.area === area),
          (f) => f.severity,
        ),
      ]),
    ),
    `open health-check findings on ${to}: ${health.length} (grader findings --severity critical lists them)`,
  );

  out.push('', 'runs       count   written  unchanged   total s   mean ms   max ms');
  for (const job of JOBS) {
    const of = runs.filter((r) => r.job === job);
    const ms = of.map((r) => r.millis);
    const sum = (f: (r: FiredRun) => number) => of.reduce((a, r) => a + f(r), 0);
    out.push(
      `${job.padEnd(10)}${String(of.length).padStart(6)}${String(sum((r) => r.counts.written)).padStart(10)}${String(sum((r) => r.counts.unchanged)).padStart(11)}${(sum((r) => r.millis) / 1000).toFixed(1).padStart(10)}${(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)).toFixed(0).padStart(10)}${Math.max(
        0,
        ...ms,
      )
        .toFixed(0)
        .padStart(9)}`,
    );
  }
  out.push(
    `DynamoDB requests ${store.stats.requests}, items read ${store.stats.itemsRead}, written ${store.stats.itemsWritten}, capacity units ${store.stats.capacityUnits.toFixed(0)}`,
  );
  return out.join('\n');
}

/** The product growth centre over the year: listings by stage at each month's end, incentives granted and ended by month. */
async function summarizeGrowth(store: ReturnType<typeof openStore>, from: string, to: string): Promise<string> {
  const blocks = await new ListingsRepository(store).blocks();
  const states = new GrowthStates(store);
  const stages = [...LISTING_STAGES].reverse();
  const rows: [string, Map<string, number>][] = [];
  for (let m = monthOf(from); m <= monthOf(to); m = addMonths(m, 1)) {
    const end = `${addMonths(m, 1)}-01` > to ? to : lastDayOf(m);
    const counts = new Map<string, number>();
    for (const { on, before } of (await states.around(blocks, end)).values()) {
      for (const listing of Object.values((on ?? before)?.listings ?? {})) {
        if (listing.stage) counts.set(listing.stage.stage, (counts.get(listing.stage.stage) ?? 0) + 1);
      }
    }
    rows.push([m, counts]);
  }
  const sellerIds = (await new ReferenceRepository(store).sellers()).map((s) => s.sellerId);
  const incentives = (await new ListingRecordsRepository(store).ofSellers(sellerIds, 'listingIncentive')) as ListingIncentiveRecord[];
  const byMonth: [string, Map<string, number>][] = [];
  for (let m = monthOf(from); m <= monthOf(to); m = addMonths(m, 1)) {
    const counts = new Map<string, number>();
    for (const r of incentives) {
      if (monthOf(r.grantedOn) === m) counts.set('granted', (counts.get('granted') ?? 0) + 1);
      if (r.endedOn && monthOf(r.endedOn) === m) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    }
    byMonth.push([m, counts]);
  }
  return [
    table('listings', stages, rows),
    '',
    table('incentives', ['granted', 'expired', 'superseded', 'ended'], byMonth),
    `incentives active on ${to}: ${incentives.filter((r) => r.status === 'active').length} (grader listings --seller S shows a seller's listings by stage)`,
  ].join('\n');
}

function lastDayOf(month: string): string {
  const next = Date.parse(`${addMonths(month, 1)}-01T00:00:00Z`);
  return new Date(next - 86_400_000).toISOString().slice(0, 10);
}

main().catch((e: unknown) => {
  process.stderr.write(`npm start: ${(e as Error).name === 'JavaMissingError' ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
  process.exit(1);
});
