import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsOver, syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { isCalendarDate, spanOf } from '../../lib/calendar';
import { prepareJob } from '../../lib/evaluateJob';
import { jobWindows } from '../../lib/jobs';
import { parseJsonLine } from '../../lib/jsonLines';
import { DEFAULT_POLICY } from '../../lib/policy';
import { validateRecord } from '../../lib/records';
import { corruptedLines } from '../helpers/corruptions';

const market = syntheticMarketplace({ sellers: 45, from: '2026-03-01', to: '2026-07-31', seed: 9 });
const lines = {
  categories: market.categories.map((c) => JSON.stringify(c)),
  sellers: market.sellers.map((s) => JSON.stringify(s)),
  grants: market.grants.map((g) => JSON.stringify(g)),
  metrics: [...rowsOver(market, { start: '2026-03-01', end: '2026-07-31' })].map((r) => JSON.stringify(r)),
};
const INGESTED_ON = '2026-08-01';
const keyOf = (v: unknown, ...fields: string[]) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  return fields.every((f) => typeof r[f] === 'string') ? fields.map((f) => r[f]).join('|') : null;
};
const known = {
  metrics: new Set(lines.metrics.map((l) => keyOf(JSON.parse(l), 'sellerId', 'date'))),
  sellers: new Set(market.sellers.map((s) => s.sellerId)),
  categories: new Set(market.categories.map((c) => c.categoryId)),
  grants: new Set(market.grants.map((g) => g.sellerId)),
};
/** A corruption that stays a row of a key the clean data lacks is new data, not a corruption: left out. */
const isNewRow = (kind: keyof typeof known, text: string) => {
  const parsed = parseJsonLine(text, 1);
  if (!parsed || !('value' in parsed)) return false;
  const v = parsed.value as Record<string, unknown>;
  if (kind === 'metrics') {
    const inRange = typeof v.date === 'string' && isCalendarDate(v.date) && v.date >= '2015-01-01' && v.date <= INGESTED_ON;
    return inRange && typeof v.sellerId === 'string' && !known.metrics.has(keyOf(v, 'sellerId', 'date'));
  }
  const id = kind === 'categories' ? v.categoryId : v.sellerId;
  return typeof id === 'string' && !(kind === 'grants' ? known.grants.has(id) || !known.sellers.has(id) : known[kind].has(id));
};
const extra = (kind: keyof typeof known, max: number) => corruptedLines(lines[kind], max).map((ls) => ls.filter((l) => !isNewRow(kind, l)));

function score(job: 'daily' | 'monthly' | 'quarterly', period: string, files: typeof lines) {
  const read = (texts: string[]) => texts.flatMap((t, i) => parseJsonLine(t, i + 1) ?? []);
  const prepared = prepareJob(job, period, {
    categories: read(files.categories), sellers: read(files.sellers), grants: read(files.grants), ingestedOn: INGESTED_ON,
  }, DEFAULT_POLICY, 'fuzz');
  for (const row of read(files.metrics)) prepared.addMetricRow(row);
  const records = new Map([...prepared.records()].map((r) => [`${r.sellerId}|${r.kind}`, JSON.stringify(validateRecord(r))]));
  return { records, quarantine: [...prepared.quarantined, ...prepared.metricQuarantine()] };
}

const JOBS = [['daily', '2026-07-16'], ['monthly', '2026-07'], ['quarterly', '2026-Q2']] as const;
const clean = new Map(JOBS.map(([job, period]) => [job, score(job, period, lines)]));

describe('random corruptions at the input boundary (offline scoring)', () => {
  it.each(JOBS)('never crash the %s job, leave the valid rows\' records as they were, and quarantine every bad line the job reads', (job, period) => {
    const span = spanOf(Object.values(jobWindows(job, period, DEFAULT_POLICY)));
    fc.assert(
      fc.property(extra('metrics', 15), extra('sellers', 4), extra('categories', 3), extra('grants', 3), (metrics, sellers, categories, grants) => {
        const dirty = {
          metrics: [...lines.metrics, ...metrics], sellers: [...lines.sellers, ...sellers],
          categories: [...lines.categories, ...categories], grants: [...lines.grants, ...grants],
        };
        const result = score(job, period, dirty);
        expect(result.records).toEqual(clean.get(job)!.records);
        for (const r of result.records.values()) expect(r).not.toMatch(/NaN|Infinity/);
        const notTheJobs = metrics.filter((t) => {
          const p = parseJsonLine(t, 1);
          const date = p && 'value' in p ? (p.value as { date?: unknown }).date : undefined;
          return typeof date === 'string' && isCalendarDate(date) && date >= '2015-01-01' && date <= INGESTED_ON && (date < span.start || date > span.end);
        }).length;
        const blank = (ts: string[]) => ts.filter((t) => parseJsonLine(t, 2) === null).length;
        const read = { metrics: metrics.length - notTheJobs - blank(metrics), sellers: sellers.length - blank(sellers), categories: categories.length - blank(categories), grants: grants.length - blank(grants) };
        for (const source of ['metrics', 'sellers', 'categories', 'grants'] as const) {
          expect(result.quarantine.filter((q) => q.source === source)).toHaveLength(read[source]);
        }
        for (const q of result.quarantine) expect(q.reason.length).toBeLessThan(400);
      }),
      { numRuns: 40, seed: 20261201 },
    );
  });
});
