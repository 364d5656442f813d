import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, runCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { csvRecords } from '../helpers/csv';
import { localStore } from '../helpers/localStore';
import { smallMarket } from '../helpers/fixtures';
import { byKey, jsonl, readRecords as read } from '../helpers/jsonlFiles';

const m = smallMarket(90, '2026-02-01', '2026-07-31', 3);
const dir = mkdtempSync(join(tmpdir(), 'grader-cli-'));
const formulas = { approvedBy: '=1+1', note: '=HYPERLINK("http://example.com/x","details")' };
const grants = m.market.grants.map((g, i) => (i === 0 ? { ...g, ...formulas } : g));
let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(m.market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
  writeFileSync(join(dir, 'grants.jsonl'), jsonl(grants));
  writeFileSync(join(dir, 'metrics.jsonl'), `${jsonl([...m.rows, { ...m.rows[3]!, orders: -1 }])}not json\n`);
  expect(await importCommand({ data: dir })).toMatch(/2 rows quarantined/);
});

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('grader import + run + export against grader score on the same folder', () => {
  it.each([
    ['monthly', { period: '2026-07' }, ['operationTier', 'serviceLevel']],
    ['quarterly', { quarter: '2026-Q2' }, ['merchantAssessment']],
  ] as const)('gives the same %s records', async (job, flags, kinds) => {
    await runCommand(job, { ...flags, reason: 'equivalence test', 'as-of': '2026-07-02' });
    const offline = join(dir, `${job}-score.jsonl`);
    await score({ job, period: Object.values(flags)[0]!, data: dir, out: offline });
    const expected = byKey(read(offline));
    for (const kind of kinds) {
      const exported = join(dir, `${job}-${kind}.jsonl`);
      await exportCommand({ kind, ...flags, out: exported });
      const got = byKey(read(exported));
      expect(got.size).toBe(m.market.sellers.length);
      for (const [key, record] of got) expect(record).toEqual(expected.get(key));
    }
  });

  it('gives the same daily scores and statuses, the in-force grades taken from the exported records', async () => {
    const grades = [
      ...read(join(dir, 'monthly-operationTier.jsonl')),
      ...read(join(dir, 'monthly-serviceLevel.jsonl')),
      ...read(join(dir, 'quarterly-merchantAssessment.jsonl')),
    ];
    writeFileSync(join(dir, 'grades.jsonl'), jsonl(grades));
    await runCommand('daily', { date: '2026-07-16', reason: 'equivalence test', 'as-of': '2026-07-16' });
    const offline = join(dir, 'daily-score.jsonl');
    await score({ job: 'daily', period: '2026-07-16', data: dir, out: offline });
    const expected = byKey(read(offline));
    for (const kind of ['dailyScore', 'status'] as const) {
      const exported = join(dir, `daily-${kind}.jsonl`);
      await exportCommand({ kind, date: '2026-07-16', out: exported });
      const got = byKey(read(exported));
      expect(got.size).toBe(m.market.sellers.length);
      for (const [key, record] of got) expect(record).toEqual(expected.get(key));
    }
  });

  it('exports CSV with one flattened column per field', async () => {
    const file = join(dir, 'tiers.csv');
    await exportCommand({ kind: 'operationTier', period: '2026-07', format: 'csv', out: file });
    const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
    expect(header).toContain('thresholds.top');
    expect(header).toContain('indicators.gmvGrowth.weight');
    expect(lines).toHaveLength(m.market.sellers.length);
  });

  it('exports CSV a spreadsheet does not run: text starting a formula is quoted behind a quote mark, numbers stay numbers', async () => {
    const file = join(dir, 'grants.csv');
    await exportCommand({ kind: 'goodSellerGrant', format: 'csv', out: file });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://example.com/x"",""details"")"`);
    const rows = csvRecords(text);
    const granted = rows.find((r) => r.sellerId === grants[0]!.sellerId)!;
    expect([granted.approvedBy, granted.note]).toEqual([`'${formulas.approvedBy}`, `'${formulas.note}`]);
    const tiers = join(dir, 'tiers-signed.csv');
    await exportCommand({ kind: 'operationTier', period: '2026-07', format: 'csv', out: tiers });
    const cells = csvRecords(readFileSync(tiers, 'utf8')).flatMap((r) => Object.values(r));
    const negative = cells.filter((c) => c.startsWith('-'));
    expect(negative.length).toBeGreaterThan(0);
    for (const c of negative) expect(Number.isFinite(Number(c)), c).toBe(true);
  });
});
