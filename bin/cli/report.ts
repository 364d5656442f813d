import { readFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { OrdersRepository } from '../../functions/data/ordersRepository';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import { QuarantineRepository } from '../../functions/data/quarantineRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import type { Store } from '../../functions/data/store';
import { addMonths, addQuarters, isMonth, quarterOfMonth } from '../../lib/calendar';
import { parseJsonLine } from '../../lib/jsonLines';
import type { Policy } from '../../lib/policy';
import { gradeRecordSchema, type GradeRecord } from '../../lib/records';
import { compareModel, reportModel } from '../../lib/report';
import { policyFromEnvironment } from '../../functions/environment';
import { UsageError } from './errors';
import { writeOutput } from './files';
import { withStore } from './store';

const here = import.meta.dirname;

/**
 * One self-contained HTML file (issue 13): the page, the charts and the data inlined, so it opens
 * offline. ECharts because one library draws every chart the report needs (stacked bars, the
 * migration heatmap, lines, the abilities radar), with an SVG renderer, and its `aria` option
 * describes each chart and adds decal patterns, so no series is told apart by colour alone.
 */
function renderReport(data: unknown): string {
  const page = readFileSync(join(here, '..', 'report', 'page.html'), 'utf8');
  const app = readFileSync(join(here, '..', 'report', 'app.js'), 'utf8');
  const echarts = chartsBundle();
  // inside <script>, `</` would end the element: JSON escapes it
  const asScriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  // the sellers' views are parsed on the first search, not on load
  const { sellers, ...overview } = data as { sellers?: unknown };
  return page
    .replace('<script>/*ECHARTS*/</script>', () => `<script>${echarts}</script>`)
    .replace('/*DATA*/', () => asScriptJson(overview))
    .replace('/*SELLERS*/', () => asScriptJson(sellers ?? []))
    .replace('<script>/*APP*/</script>', () => `<script>${app}</script>`);
}

let bundled: string | undefined;
/** The charts the page uses, bundled once per process (bin/report/charts.ts): ~40% of ECharts' full build to parse. */
function chartsBundle(): string {
  bundled ??= buildSync({
    entryPoints: [join(here, '..', 'report', 'charts.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return bundled;
}

/** The grade records of a `grader score` output (quarantine lines counted by source). */
function recordsOfFile(file: string): { records: GradeRecord[]; quarantine: Record<string, number> } {
  const records: GradeRecord[] = [];
  const quarantine: Record<string, number> = {};
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const line = parseJsonLine(text, i + 1);
      if (!line || !('value' in line)) return;
      const value = line.value as { kind?: string; source?: string };
      if (value.kind === 'quarantine') quarantine[String(value.source)] = (quarantine[String(value.source)] ?? 0) + 1;
      else {
        const parsed = gradeRecordSchema.safeParse(value);
        if (!parsed.success) throw new UsageError(`${file} line ${i + 1} is not a grade record: ${parsed.error.issues[0]?.message}`);
        records.push(parsed.data);
      }
    });
  return { records, quarantine };
}

/** Reads what the report shows from the tables: 12 months of monthly records, 4 quarters, current records, the latest daily scores. */
async function recordsOfStore(
  store: Store,
  period: string | undefined,
): Promise<{
  records: GradeRecord[];
  period: string;
  quarantine: Record<string, number>;
  badOrders: Map<string, { orderId: string; closedOn: string; reasons: string[]; excluded: boolean }[]>;
}> {
  const reference = new ReferenceRepository(store);
  const { sellers, categories } = await reference.snapshot();
  const runs = await new RunsRepository(store).list();
  const done = (job: string) => runs.filter((r) => r.job === job && r.status === 'succeeded' && !r.dryRun).map((r) => r.period);
  const month = period ?? done('monthly').sort().at(-1);
  if (!month) throw new UsageError('no monthly run has succeeded yet: run one, or give --records FILE');
  const grades = new GradesRepository(store);
  const categoryIds = categories.map((c) => c.categoryId);
  const records: GradeRecord[] = [];
  for (let i = 11; i >= 0; i--) {
    const m = addMonths(month, -i);
    records.push(...(await grades.listPeriodIn('operationTier', m, categoryIds)), ...(await grades.listPeriodIn('serviceLevel', m, categoryIds)));
  }
  const quarter = addQuarters(quarterOfMonth(month), -1);
  for (let i = 3; i >= 0; i--) records.push(...(await grades.listPeriodIn('merchantAssessment', addQuarters(quarter, -i), categoryIds)));
  records.push(...(await grades.getMany(sellers.flatMap((s) => ['status', 'goodSellerGrant', 'healthCheck'].map((sk) => ({ sellerId: s.sellerId, sk }))))));
  const lastDay = done('daily')
    .filter((d) => d.slice(0, 7) <= month)
    .sort()
    .at(-1);
  if (lastDay) records.push(...(await new DailyScorePacks(store).on(sellers, lastDay)));
  const quarantine = await new QuarantineRepository(store).countsBySource();
  const badOrders = new Map<string, { orderId: string; closedOn: string; reasons: string[]; excluded: boolean }[]>();
  const orders = new OrdersRepository(store);
  for (const r of records) {
    if (r.kind !== 'serviceLevel' || r.period !== month || !r.badExperienceRate) continue;
    const page = await orders.page({ sellerId: r.sellerId, from: r.window.start, to: r.window.end, badOnly: true, limit: 100 });
    if (page.orders.length)
      badOrders.set(
        r.sellerId,
        page.orders.map((o) => ({ orderId: o.orderId, closedOn: o.closedOn, reasons: o.reasons, excluded: o.excluded })),
      );
  }
  return { records, period: month, quarantine, badOrders };
}

/** `grader report [--period M] [--records FILE] [--compare CURRENT DRAFT] --out FILE`. */
async function report(options: { store?: Store; policy: Policy; period?: string; records?: string; compare?: [string, string]; out: string }): Promise<string> {
  if (options.period !== undefined && !isMonth(options.period)) throw new UsageError(`--period must be YYYY-MM (got ${options.period})`);
  let data: unknown;
  if (options.compare) {
    const [current, draft] = options.compare.map((f) => recordsOfFile(f).records) as [GradeRecord[], GradeRecord[]];
    data = { title: `What-if: ${options.compare[0]} → ${options.compare[1]}`, compare: compareModel(current, draft), sellers: [] };
  } else if (options.records) {
    const { records, quarantine } = recordsOfFile(options.records);
    const period =
      options.period ??
      records
        .flatMap((r) => (r.kind === 'operationTier' ? [r.period] : []))
        .sort()
        .at(-1) ??
      '9999-12';
    data = reportModel({ records, period, policy: options.policy, quarantine });
  } else {
    const read = await recordsOfStore(options.store!, options.period);
    data = reportModel({ ...read, policy: options.policy });
  }
  const html = renderReport(data);
  writeOutput(options.out, html);
  return `wrote ${options.out} (${(html.length / 1024).toFixed(0)} KB); open it in a browser, no network needed`;
}

/** The CLI's flags: --out, and --records FILE (offline), --compare CURRENT DRAFT, or the tables. */
async function reportCommand(v: Record<string, string | boolean | undefined>, positionals: string[]): Promise<string> {
  const out = v.out;
  if (typeof out !== 'string') throw new UsageError('--out FILE is required');
  const period = typeof v.period === 'string' ? v.period : undefined;
  const policy = policyFromEnvironment();
  if (typeof v.compare === 'string') {
    const draft = positionals[0];
    if (!draft) throw new UsageError('--compare needs two files: --compare current.jsonl draft.jsonl');
    return report({ policy, compare: [v.compare, draft], out });
  }
  if (typeof v.records === 'string') return report({ policy, records: v.records, out, ...(period ? { period } : {}) });
  return withStore({ aws: v.aws === true }, (store) => report({ store, policy, out, ...(period ? { period } : {}) }));
}

export { renderReport, report, reportCommand };
