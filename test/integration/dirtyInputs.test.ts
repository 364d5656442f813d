import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, runCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { scanAll } from '../../functions/data/query';
import { writeDirtyCorpus } from '../helpers/dirtyCorpus';
import { localStore } from '../helpers/localStore';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'grader-dirty-'));
const corpus = writeDirtyCorpus(root);
type Row = Record<string, unknown>;
const read = (file: string): Row[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
const grades = (rows: Row[]) =>
  new Map<string, Row>(
    rows
      .filter((r) => r.kind !== 'quarantine')
      .map((r) => [`${String(r.sellerId)}|${String(r.kind)}`, { ...r, runId: null, asOf: r.kind === 'status' ? null : r.asOf }]),
  );
const quarantine = (rows: { source?: unknown; key?: unknown; reason?: unknown; kind?: unknown }[]) =>
  rows
    .filter((r) => r.kind === undefined || r.kind === 'quarantine')
    .map((r) => JSON.stringify([r.source, (r.key as Row).line ?? null, r.reason]))
    .sort();
const grader = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 }).catch(
    (e: Exit) => e,
  ) as Promise<Exit>;

const jobs = [
  ['monthly', { period: '2026-07' }, '2026-07-02'],
  ['quarterly', { quarter: '2026-Q2' }, '2026-07-10'],
] as const;
let env: Awaited<ReturnType<typeof localStore>>;
type Exit = { code?: number; stdout: string; stderr: string };
let imported: Exit;

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  imported = await grader(['import', '--data', corpus.dirty], { GRADER_DYNAMODB_ENDPOINT: env.embedded.endpoint });
});

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('a dirty data folder (SPEC §3.3): every bad line quarantined, the valid ones graded as if the bad were absent', () => {
  it('imports with exit 0 and no stack trace, and stores no more metric items than the valid rows need', async () => {
    expect(imported.code ?? 0).toBe(0);
    expect(imported.stderr).not.toMatch(/\n\s+at /);
    const bad = corpus.badLines;
    expect(imported.stdout).toMatch(new RegExp(`${bad.metrics + bad.grants + bad.categories + bad.sellers} rows quarantined`));
    const metricItems = (
      await scanAll(env.store.doc, { TableName: env.store.tables.metrics, ProjectionExpression: '#d', ExpressionAttributeNames: { '#d': 'date' } })
    ).length;
    const validDates = new Set(corpus.rows.map((r) => r.date)).size;
    expect(metricItems).toBe(validDates); // one block of ≤ 256 sellers, one item per date of valid rows
  });

  it('scores with exit 0, no stack trace, and every bad line quarantined with its line number', async () => {
    const out = join(root, 'cli-score.jsonl');
    const result = await grader(['score', '--job', 'daily', '--date', '2026-07-16', '--data', corpus.dirty, '--out', out]);
    expect(result.code ?? 0).toBe(0);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const reasons = read(out).filter((r) => r.kind === 'quarantine');
    for (const source of ['categories', 'sellers', 'grants'] as const) expect(reasons.filter((r) => r.source === source)).toHaveLength(corpus.badLines[source]);
    expect(reasons.every((r) => typeof (r.key as Row).line === 'number')).toBe(true);
    expect(JSON.stringify(reasons)).toContain('gmvCents (1e309) is not an integer');
  });

  it.each(jobs)('gives the same %s records as the clean folder offline, and the same through import + run + export', async (job, flags, asOf) => {
    const period = Object.values(flags)[0]!;
    const [dirtyOut, cleanOut] = [join(root, `${job}-dirty.jsonl`), join(root, `${job}-clean.jsonl`)];
    await score({ job, period, data: corpus.dirty, out: dirtyOut });
    await score({ job, period, data: corpus.clean, out: cleanOut });
    const offline = grades(read(dirtyOut));
    expect(offline).toEqual(grades(read(cleanOut)));
    expect(offline.size).toBeGreaterThan(0);
    for (const r of offline.values()) expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);

    await runCommand(job, { ...flags, reason: 'dirty inputs', 'as-of': asOf });
    const kinds = job === 'monthly' ? (['operationTier', 'serviceLevel'] as const) : (['merchantAssessment'] as const);
    for (const kind of kinds) {
      const exported = join(root, `${job}-${kind}.jsonl`);
      await exportCommand({ kind, ...flags, out: exported });
      const stored = grades(read(exported));
      expect(stored.size).toBe(corpus.sellers.length);
      for (const [key, record] of stored) expect(record).toEqual(offline.get(key));
    }
  });

  it('gives the same daily scores and statuses, reading earlier records by the shapes of SPEC §10', async () => {
    // what the store holds from the runs above, with the fields the product adds beyond §10 removed
    const earlier = ['monthly-operationTier', 'monthly-serviceLevel', 'quarterly-merchantAssessment']
      .flatMap((f) => read(join(root, `${f}.jsonl`)))
      .map(({ categoryId: _c, indicators: _i, ...r }) => r);
    for (const dir of [corpus.dirty, corpus.clean]) writeFileSync(join(dir, 'grades.jsonl'), `${earlier.map((r) => JSON.stringify(r)).join('\n')}\n`);
    writeFileSync(join(corpus.dirty, 'grades.jsonl'), '{"kind":"operationTier","sellerId":"s-1"}\n[]\n', { flag: 'a' });
    const [dirtyOut, cleanOut] = [join(root, 'daily-dirty.jsonl'), join(root, 'daily-clean.jsonl')];
    await score({ job: 'daily', period: '2026-07-16', data: corpus.dirty, out: dirtyOut });
    await score({ job: 'daily', period: '2026-07-16', data: corpus.clean, out: cleanOut });
    const offline = grades(read(dirtyOut));
    expect(offline).toEqual(grades(read(cleanOut)));
    expect(read(dirtyOut).filter((r) => r.source === 'grades')).toHaveLength(2);
    expect([...offline.values()].filter((r) => r.kind === 'status' && (r.operationTier as Row | null)?.period === '2026-07')).toHaveLength(
      corpus.sellers.length,
    );

    await runCommand('daily', { date: '2026-07-16', reason: 'dirty inputs', 'as-of': '2026-07-16' });
    for (const kind of ['dailyScore', 'status'] as const) {
      const exported = join(root, `daily-${kind}.jsonl`);
      await exportCommand({ kind, date: '2026-07-16', out: exported });
      const stored = grades(read(exported));
      expect(stored.size).toBe(corpus.sellers.length);
      for (const [key, record] of stored) expect(record).toEqual(offline.get(key));
    }
  });

  it('quarantines each bad line a job reads with the reason the import gave it', async () => {
    const stored = await scanAll(env.store.doc, { TableName: env.store.tables.quarantine });
    const importReasons = new Set(quarantine(stored.map((i) => ({ source: String(i.source).replace('-undated', ''), key: i.key, reason: i.reason }))));
    for (const job of ['monthly', 'quarterly', 'daily']) {
      const offline = quarantine(read(join(root, `${job}-dirty.jsonl`))).filter((q) => !q.startsWith('["grades"'));
      expect(offline.length).toBeGreaterThan(0);
      for (const q of offline) expect(importReasons).toContain(q);
    }
    expect(importReasons.size).toBe(Object.values(corpus.badLines).reduce((a, b) => a + b, 0));
  });
});

describe("operator actions on ids named after Object.prototype's properties", () => {
  it('re-run, explain, set and end a program, and judge an approval, like for any other id', async () => {
    const { operatorHandler } = await import('../../functions/operator');
    const { localContext } = await import('../../functions/local/simulate');
    const operator = (payload: Record<string, unknown>) => operatorHandler(() => env.deps)(payload, localContext('ids'));
    const rerun = await operator({
      action: 'rerun',
      job: 'monthly',
      period: '2026-07',
      reason: 'ids',
      requestedBy: 'ops-li',
      dryRun: true,
      sellers: ['hasOwnProperty', 'valueOf'],
      categories: ['constructor', '__proto__'],
    });
    expect(rerun).toMatchObject({ ok: true, state: 'succeeded' });
    expect(await operator({ action: 'explain', sellerId: 'hasOwnProperty', date: '2026-07-16' })).toMatchObject({ ok: true, sellerId: 'hasOwnProperty' });
    expect(await operator({ action: 'setProgram', sellerId: 'valueOf', program: 'mall', on: '2026-07-01', by: 'ops-li', asOf: '2026-07-16' })).toMatchObject({
      ok: true,
    });
    expect(await operator({ action: 'endProgram', sellerId: 'valueOf', program: 'mall', on: '2026-07-10', by: 'ops-li', asOf: '2026-07-16' })).toMatchObject({
      ok: true,
    });
    const approval = await operator({
      action: 'approveGoodSeller',
      sellerId: 'hasOwnProperty',
      appliedOn: '2026-07-01',
      approvedOn: '2026-07-05',
      approvedBy: 'ops-li',
      asOf: '2026-07-16',
    });
    expect(approval.ok || approval.error).not.toMatch(/TypeError|undefined/);
    const revoke = await operator({ action: 'revokeGoodSeller', sellerId: 'valueOf', on: '2026-07-10', by: 'ops-li', asOf: '2026-07-16' });
    expect(revoke).toMatchObject({ ok: false, field: 'sellerId', error: 'sellerId: seller valueOf has no Good Seller grant' });
  });
});

describe('input errors of the CLI', () => {
  it('print one line naming what to fix and exit 2, for a bad flag and a bad policy document', async () => {
    const policy = join(root, 'bad-policy.json');
    writeFileSync(policy, JSON.stringify({ version: 'x' }));
    for (const [args, message] of [
      [['score', '--job', 'monthly', '--period', '2026-13', '--data', corpus.dirty, '--out', join(root, 'x.jsonl')], /--period must be YYYY-MM/],
      [
        ['score', '--job', 'monthly', '--period', '2026-07', '--data', corpus.dirty, '--policy', policy, '--out', join(root, 'x.jsonl')],
        /bad-policy.json is invalid: timeZone: /,
      ],
      [
        ['score', '--job', 'monthly', '--period', '2026-07', '--data', join(root, 'nowhere'), '--out', join(root, 'x.jsonl')],
        /cannot read .*categories.jsonl: ENOENT/,
      ],
    ] as const) {
      const result = await grader([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
