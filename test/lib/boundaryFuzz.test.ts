import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLine } from '../../lib/jsonLines';
import { fuzzCorpus } from '../helpers/corruptions';

const { lines, extra, score } = fuzzCorpus({ sellers: 45, from: '2026-03-01', to: '2026-07-31', seed: 9 });
const JOBS = [
  ['daily', '2026-07-16'],
  ['monthly', '2026-07'],
  ['quarterly', '2026-Q2'],
] as const;
const clean = new Map(await Promise.all(JOBS.map(async ([job, period]) => [job, await score(job, period, lines)] as const)));

describe('random corruptions at the input boundary (offline scoring)', () => {
  it.each(JOBS)("never crash the %s job, leave the valid rows' records as they were, and quarantine every bad line", async (job, period) => {
    await fc.assert(
      fc.asyncProperty(extra('metrics', 15), extra('sellers', 4), extra('categories', 3), extra('grants', 3), async (metrics, sellers, categories, grants) => {
        const dirty = {
          metrics: [...lines.metrics, ...metrics],
          sellers: [...lines.sellers, ...sellers],
          categories: [...lines.categories, ...categories],
          grants: [...lines.grants, ...grants],
        };
        const result = await score(job, period, dirty);
        // a seller's quarantined rows open a dataQuality finding (SPEC §7.5): its health check is the one record that may differ
        const withoutHealth = (records: Map<string, string>) => new Map([...records].filter(([, r]) => !r.includes('"kind":"healthCheck"')));
        expect(withoutHealth(result.records)).toEqual(withoutHealth(clean.get(job)!.records));
        for (const [key, r] of result.records) {
          if (r.includes('"kind":"healthCheck"') && r !== clean.get(job)!.records.get(key)) expect(r).toContain('"id":"dataQuality"');
        }
        for (const r of result.records.values()) expect(r).not.toMatch(/NaN|Infinity/);
        const blank = (ts: string[]) => ts.filter((t) => parseJsonLine(t, 2) === null).length;
        const read = {
          metrics: metrics.length - blank(metrics),
          sellers: sellers.length - blank(sellers),
          categories: categories.length - blank(categories),
          grants: grants.length - blank(grants),
        };
        for (const source of ['metrics', 'sellers', 'categories', 'grants'] as const) {
          expect(result.quarantine.filter((q) => q.source === source)).toHaveLength(read[source]);
        }
        for (const q of result.quarantine) expect(q.reason.length).toBeLessThan(400);
      }),
      { numRuns: 40, seed: 20261201 },
    );
  });
});
