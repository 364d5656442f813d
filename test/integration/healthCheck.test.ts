import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, runCommand, showCommand } from '../../bin/cli/commands';
import { findingsCommand, watchCommand } from '../../bin/cli/health';
import { score } from '../../bin/cli/score';
import { syntheticCompliance as complianceInputs } from '../../functions/local/syntheticCompliance';
import { csvRecords } from '../helpers/csv';
import { smallMarket } from '../helpers/fixtures';
import { jsonl, readRecords as read } from '../helpers/jsonlFiles';
import { gradesStream, localStore } from '../helpers/localStore';

const m = smallMarket(75, '2026-02-01', '2026-07-31', 21);
const c = complianceInputs(m.market.categories, m.market.sellers);
const dir = mkdtempSync(join(tmpdir(), 'grader-health-'));
const healthChecks = (records: Record<string, unknown>[]) =>
  new Map(records.filter((r) => r.kind === 'healthCheck').map((r) => [String(r.sellerId), { ...r, runId: null }]));
let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(c.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
  writeFileSync(join(dir, 'grants.jsonl'), jsonl(m.market.grants));
  // one bad row in the daily window of 2026-07-16: its seller gets a dataQuality finding
  writeFileSync(join(dir, 'metrics.jsonl'), jsonl([...m.rows, { ...m.rows.find((r) => r.date === '2026-07-05')!, date: '2026-07-06', orders: -1 }]));
  writeFileSync(join(dir, 'exposure.jsonl'), jsonl(c.exposure));
  writeFileSync(join(dir, 'registrations.jsonl'), jsonl(c.registrations));
  expect(await importCommand({ data: dir })).toMatch(/compliance inputs of \d+ sellers/);
  for (const [job, flags] of [
    ['monthly', { period: '2026-07' }],
    ['quarterly', { quarter: '2026-Q2' }],
  ] as const) {
    await runCommand(job, { ...flags, reason: 'health test', 'as-of': '2026-07-20' });
  }
  const grades = [];
  for (const kind of ['operationTier', 'serviceLevel', 'merchantAssessment'] as const) {
    const out = join(dir, `${kind}.jsonl`);
    await exportCommand({ kind, ...(kind === 'merchantAssessment' ? { quarter: '2026-Q2' } : { period: '2026-07' }), out });
    grades.push(...read(out));
  }
  writeFileSync(join(dir, 'grades.jsonl'), jsonl(grades));
});

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('the health check through every path (SPEC §7.5)', () => {
  it('gives the same findings from grader score --job daily and from import + run + export, one record per seller', async () => {
    await runCommand('daily', { date: '2026-07-16', reason: 'health test', 'as-of': '2026-07-16' });
    const offline = join(dir, 'daily.jsonl');
    await score({ job: 'daily', period: '2026-07-16', data: dir, out: offline });
    const expected = healthChecks(read(offline));
    expect(expected.size).toBe(m.market.sellers.length);
    const exported = join(dir, 'health.jsonl');
    await exportCommand({ kind: 'healthCheck', out: exported });
    const got = healthChecks(read(exported));
    expect(got).toEqual(expected);
    const findings = [...got.values()].flatMap((r) => (r as unknown as { findings: { id: string }[] }).findings);
    const ids = new Set(findings.map((f) => f.id));
    for (const id of ['complianceMissing', 'complianceExpiring', 'dataQuality']) expect(ids).toContain(id);
    const quarantine = read(offline).filter((r) => r.kind === 'quarantine');
    expect(new Set(quarantine.map((q) => q.source))).toEqual(new Set(['metrics', 'exposure', 'registrations']));
  });

  it('reaches the stream only when findings change: the next day writes only the sellers whose set changed, a re-run nothing', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    // registrations valid until 2026-07-20 have lapsed by the 21st: expiring becomes missing
    await runCommand('daily', { date: '2026-07-21', reason: 'later day', 'as-of': '2026-07-21' });
    const next = (await stream.drain()).filter((e) => e.newRecord?.kind === 'healthCheck');
    expect(next.length).toBeGreaterThan(0);
    expect(next.length).toBeLessThan(m.market.sellers.length);
    for (const e of next) {
      const key = (r: unknown) =>
        JSON.stringify(
          ((r as { findings: { id: string; severity: string; evidence: Record<string, unknown> }[] }).findings ?? []).map((f) => [
            f.id,
            f.severity,
            f.evidence.market,
            f.evidence.scope,
          ]),
        );
      expect(key(e.newRecord)).not.toBe(key(e.oldRecord ?? { findings: [] }));
      expect(e.noOp).toBeUndefined();
    }
    await runCommand('daily', { date: '2026-07-21', reason: 'same day again', 'as-of': '2026-07-21' });
    expect((await stream.drain()).filter((e) => e.newRecord?.kind === 'healthCheck' || e.oldRecord?.kind === 'healthCheck')).toEqual([]);
  });

  it('gives operators the worklist across sellers, filtered, and a seller its findings with live evidence', async () => {
    const all = (await findingsCommand({ format: 'jsonl' }))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { severity: string; area: string; sellerId: string; id: string });
    const critical = (await findingsCommand({ severity: 'critical', area: 'compliance', format: 'jsonl' }))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { severity: string; area: string });
    expect(critical.length).toBeGreaterThan(0);
    expect(critical).toEqual(all.filter((f) => f.severity === 'critical' && f.area === 'compliance'));
    expect(all.map((f) => f.severity)).toEqual(
      [...all.map((f) => f.severity)].sort((a, b) => ['critical', 'warning', 'info'].indexOf(a) - ['critical', 'warning', 'info'].indexOf(b)),
    );
    const seller = all.find((f) => f.id === 'complianceMissing')!.sellerId;
    const shown = await showCommand({ seller, date: '2026-07-21' });
    expect(shown).toMatch(/Health check \(\d+ open, live evidence\):/);
    expect(shown).toMatch(/CRITICAL complianceMissing \(compliance\) since 2026-07-\d\d: register for EPR/);
    // the projection read back from its pack keeps its targets (SPEC §6), or says why there are none
    const projected = /Projection on 2026-07-\d\d: operation tier (\w+)/.exec(shown)![1];
    if (projected !== 'top') expect(shown).toMatch(/Projection on [^\n]+\n {2}(Any one of these alone reaches \w+:\n {4}\S|No indicator alone closes the gap)/);
    await expect(findingsCommand({ severity: 'grave' })).rejects.toThrow(/severity/);

    const csv = csvRecords(await findingsCommand({ format: 'csv' }));
    expect(csv.map((r) => [r.sellerId, r.id])).toEqual(all.map((f) => [f.sellerId, f.id]));
    expect(Object.keys(csv[0]!).slice(0, 9)).toEqual(['sellerId', 'categoryId', 'asOf', 'id', 'severity', 'area', 'since', 'deadline', 'action']);
    for (const cell of csv.flatMap((r) => Object.values(r)).filter((c) => /^[=+\-@]/.test(c))) expect(Number.isFinite(Number(cell)), cell).toBe(true);
    const [severity, area] = ['critical', 'warning', 'info']
      .flatMap((sv) => ['service', 'merchant', 'operation', 'logistics', 'compliance', 'data'].map((a) => [sv, a] as const))
      .find(([sv, a]) => !all.some((f) => f.severity === sv && f.area === a))!;
    expect(await findingsCommand({ severity, area, format: 'csv' })).toBe('sellerId,categoryId,asOf,id,severity,area,since,deadline,action');
  });

  it('prints the stream as the change events the AWS consumer publishes (grader watch)', async () => {
    const lines: string[] = [];
    const printed = await watchCommand({ 'from-start': true, once: true }, (l) => lines.push(l));
    expect(printed).toBe(lines.length);
    const types = new Set(lines.map((l) => (JSON.parse(l) as { 'detail-type': string })['detail-type']));
    expect(types).toContain('CriticalFindingOpened');
    expect(types).toContain('OperationTierChanged');
  });
});
