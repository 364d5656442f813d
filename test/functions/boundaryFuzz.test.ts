import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { scanAll } from '../../functions/data/query';
import { importData } from '../../functions/jobs/importData';
import { localContext } from '../../functions/local/simulate';
import { operatorHandler } from '../../functions/operator';
import { parseJsonLine } from '../../lib/jsonLines';
import { DEFAULT_POLICY } from '../../lib/policy';
import { fuzzCorpus } from '../helpers/corruptions';
import { gradesStream, memoryStore } from '../helpers/localStore';

const { market, lines, extra, score } = fuzzCorpus({ sellers: 30, from: '2026-03-01', to: '2026-07-31', seed: 13 });
const NOW = '2026-08-01T19:00:00Z'; // business date 2026-08-01, the corpus's ingestion date
let env: Awaited<ReturnType<typeof memoryStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;
const operator = (payload: unknown) => operatorHandler(() => ({ ...env.deps, now: () => NOW }))(payload, localContext('fuzz'));
const parsed = (texts: string[]) => texts.flatMap((t, i) => parseJsonLine(t, i + 1) ?? []);
const importLines = (files: typeof lines) =>
  importData(
    env.store,
    { categories: parsed(files.categories), sellers: parsed(files.sellers), grants: parsed(files.grants), metrics: parsed(files.metrics) },
    {
      policy: DEFAULT_POLICY,
      importId: 'fuzz',
      now: NOW,
    },
  );
const count = async (table: string) => (await scanAll(env.store.doc, { TableName: table, Select: 'COUNT' })).length;
/** Every item of every table but the runs' own bookkeeping, to show that nothing changed. */
async function snapshot(): Promise<string> {
  const tables = Object.entries(env.store.tables)
    .filter(([name]) => name !== 'runs')
    .map(([, t]) => t)
    .sort();
  const items = await Promise.all(tables.map((TableName) => scanAll(env.store.doc, { TableName })));
  return JSON.stringify(items.map((list) => list.map((i) => JSON.stringify(i)).sort()));
}

beforeAll(async () => {
  env = await memoryStore();
  await importLines(lines);
  stream = await gradesStream(env.store, env.embedded.endpoint);
});

afterAll(async () => {
  stream?.close();
  await env?.stop();
});

describe('random corruptions through import + run (DynamoDB Local)', () => {
  it('never crash an import, quarantine every bad line, store nothing for them, and leave the stored grades equal to offline scoring', async () => {
    const metricItems = await count(env.store.tables.metrics);
    await fc.assert(
      fc.asyncProperty(extra('metrics', 10), extra('sellers', 3), extra('categories', 2), extra('grants', 2), async (metrics, sellers, categories, grants) => {
        const dirty = {
          metrics: [...lines.metrics, ...metrics],
          sellers: [...lines.sellers, ...sellers],
          categories: [...lines.categories, ...categories],
          grants: [...lines.grants, ...grants],
        };
        const summary = await importLines(dirty);
        const bad = [...metrics, ...sellers, ...categories, ...grants].filter((t) => parseJsonLine(t, 2) !== null).length;
        expect(summary.quarantined).toBe(bad);
        expect(await count(env.store.tables.metrics)).toBe(metricItems);

        const response = await operator({ action: 'rerun', job: 'monthly', period: '2026-07', reason: 'fuzz', requestedBy: 'fuzz', asOf: '2026-07-02' });
        expect(response).toMatchObject({ ok: true, state: 'succeeded' });
        const stored = await new GradesRepository(env.store).listPeriodIn(
          'operationTier',
          '2026-07',
          market.categories.map((c) => c.categoryId),
        );
        const offline = (await score('monthly', '2026-07', dirty)).records;
        expect(stored).toHaveLength(market.sellers.length);
        for (const r of stored) expect({ ...r, runId: null }).toEqual({ ...JSON.parse(offline.get(`${r.sellerId}|operationTier`)!), runId: null });
      }),
      { numRuns: 6, seed: 20261201 },
    );
  });
});

describe('random operator payloads (SPEC §8.3)', () => {
  const dates = fc.constantFrom('2026-07-02', '2026-07', '2026-Q2', '2099-12-31', '0001-01-01', '9999-Q4', '2026-02-30', '', 'x'.repeat(5000));
  const field = fc.oneof(
    dates,
    fc.jsonValue(),
    fc.constantFrom(market.sellers[0]!.sellerId, 'constructor', '__proto__'),
    fc.array(fc.string(), { maxLength: 3 }),
  );
  const payload = fc.record(
    {
      action: fc.constantFrom('rerun', 'approveGoodSeller', 'revokeGoodSeller', 'setProgram', 'endProgram', 'explain', 'drop', '__proto__'),
      job: fc.constantFrom('daily', 'monthly', 'quarterly', 'hourly'),
      period: dates,
      sellerId: field,
      sellers: field,
      categories: field,
      reason: field,
      requestedBy: field,
      asOf: dates,
      appliedOn: dates,
      approvedOn: dates,
      approvedBy: field,
      on: dates,
      by: field,
      program: fc.constantFrom('mall', 'jbp', 'styled', 'vip'),
      dryRun: fc.boolean(),
    },
    { requiredKeys: ['action'] },
  );

  it('refuse every bad request with a field or a rule named, and change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (request) => {
        const before = await snapshot();
        await stream.drain();
        const response = await operator(request);
        if (response.ok) return; // a valid request may do what it asks
        expect(response.error).toMatch(/^[\w.]+: |is not eligible/);
        expect(response.error.length).toBeLessThan(600);
        expect(await snapshot()).toBe(before);
        expect(await stream.drain()).toEqual([]);
      }),
      { numRuns: 60, seed: 20261201 },
    );
  });
});

describe('rows handed to the import by a program (no line numbers)', () => {
  it('take a row repeated three times, JSON that is not an object three times and a second grant without a crash', async () => {
    const row = JSON.parse(lines.metrics[lines.metrics.length - 1]!) as Record<string, unknown>;
    const seller = market.sellers[3]!.sellerId;
    const grant = { sellerId: seller, appliedOn: '2026-07-01', approvedOn: '2026-07-02', approvedBy: 'ops-li' };
    const metricItems = await count(env.store.tables.metrics);
    const summary = await importData(
      env.store,
      {
        metrics: [row, row, row, null, [1, 2], 42, 's', {}, {}, {}],
        grants: market.grants.some((g) => g.sellerId === seller) ? [] : [grant, { ...grant, approvedBy: 'ops-second' }, { ...grant, approvedBy: 'ops-third' }],
      },
      { policy: DEFAULT_POLICY, importId: 'program', now: NOW },
    );
    expect(summary.quarantined).toBe(2 + 7 + 2);
    expect(summary.metricRows).toBe(1);
    expect(await count(env.store.tables.metrics)).toBe(metricItems);
  });
});
