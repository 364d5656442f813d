import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, runCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { GrowthStates, type GrowthState } from '../../functions/data/growthStates';
import { scanAll } from '../../functions/data/query';
import { RunsRepository } from '../../functions/data/runsRepository';
import { runJob } from '../../functions/jobs/runJob';
import { beforeSends } from '../helpers/faultyStore';
import { dirtyListingLines, growthMarket } from '../helpers/growthMarket';
import { jsonl, readRecords } from '../helpers/jsonlFiles';
import { gradesStream, localStore } from '../helpers/localStore';

const DAYS = ['2026-06-10', '2026-06-11', '2026-06-12'];
const market = growthMarket({ from: '2026-03-01', to: '2026-06-12' });
const dirty = dirtyListingLines(market, '2026-05-14', '2026-06-09');
const dir = mkdtempSync(join(tmpdir(), 'grader-growth-'));
let env: Awaited<ReturnType<typeof localStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;

type Row = Record<string, unknown>;
/** A listing record's key in the store: its stage, or one incentive. */
const keyOf = (r: Row) => `${String(r.kind)}|${String(r.listingId)}|${r.kind === 'listingIncentive' ? String(r.grantedOn) : ''}`;
const withoutRun = (r: Row) => ({ ...r, runId: null });

async function exported(): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for (const kind of ['listingStage', 'listingIncentive']) {
    const file = join(dir, `export-${kind}.jsonl`);
    await exportCommand({ kind, out: file });
    for (const r of readRecords(file)) out.set(keyOf(r), withoutRun(r));
  }
  return out;
}

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(market.sellers));
  writeFileSync(join(dir, 'listings.jsonl'), jsonl([...market.listings, ...dirty.listings]));
  writeFileSync(join(dir, 'listingMetrics.jsonl'), `${jsonl([...market.rows, ...dirty.rows])}${dirty.text}`);
  await importCommand({ data: dir });
  stream = await gradesStream(env.store, env.embedded.endpoint);
}, 120_000);

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await stream?.close();
  await env?.stop();
});

describe('the growth job on the tables: grader import + run + export against grader score', () => {
  const offline: Row[] = [];

  it('quarantines at import every invalid listing line with the reason grader score gives', async () => {
    const out = join(dir, 'quarantine-score.jsonl');
    await score({ job: 'growth', period: DAYS[0]!, data: dir, out });
    const fromScore = readRecords(out)
      .filter((r) => r.kind === 'quarantine')
      .map((r) => `${String(r.source)}|${String(r.reason)}`)
      .sort();
    const items = await scanAll(env.store.doc, { TableName: env.store.tables.quarantine });
    const fromImport = items
      .filter((i) => String(i.source).startsWith('listing'))
      .map((i) => `${String(i.source).replace('-undated', '')}|${String(i.reason)}`)
      .sort();
    expect(fromScore.length).toBe(dirty.listings.length + dirty.rows.length + 1);
    expect(fromImport).toEqual(fromScore);
  });

  it.each(DAYS.map((d, i) => [d, i]))('gives the records of grader score on %s, chained over the days before', async (date, i) => {
    writeFileSync(join(dir, 'grades.jsonl'), jsonl(offline));
    const out = join(dir, `score-${date}.jsonl`);
    await score({ job: 'growth', period: date as string, data: dir, out });
    const scored = readRecords(out);
    offline.push(...scored.filter((r) => r.kind !== 'quarantine'));
    const summary = await runCommand('growth', { date, reason: 'equivalence test', 'as-of': date });
    // the store holds every record scored so far, each key at its latest version
    const expected = new Map(offline.map((r) => [keyOf(r), withoutRun(r)]));
    const got = await exported();
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, record] of got) expect(record, key).toEqual(expected.get(key));
    const stages = scored.filter((r) => r.kind === 'listingStage');
    expect(new Set(stages.map((r) => r.stage)).size).toBeGreaterThanOrEqual(3);
    if (i === 0) expect(scored.some((r) => r.kind === 'listingIncentive')).toBe(true);
    const quarantinedRows = scored.filter((r) => r.kind === 'quarantine' && r.source === 'listingMetrics').length;
    expect(summary).toContain(`${quarantinedRows} quarantined rows`);
  });

  it('writes nothing when a day is run again: no stream event, nothing counted written', async () => {
    await stream.drain();
    const date = DAYS[2]!;
    const summary = await runCommand('growth', { date, reason: 'same day again', 'as-of': date });
    expect(summary).toMatch(/ 0 written, \d+ unchanged/);
    expect(await stream.drain()).toEqual([]);
  });

  it('an operator re-run for some sellers writes only their listings', async () => {
    const date = DAYS[2]!;
    const window = { start: '2026-05-13', end: '2026-06-11' };
    // a correction makes one listing of each of two sellers very busy: both would move up
    const busy = ['s1', 's2'].map((s) => market.listings.find((l) => l.sellerId === s && l.listedOn === '2025-06-01' && l.delistedOn === null)!);
    const corrected = busy.flatMap((l) =>
      Array.from({ length: 30 }, (_, d) => {
        const on = new Date(Date.parse(window.start) + d * 86_400_000).toISOString().slice(0, 10);
        return {
          listingId: l.listingId,
          date: on,
          impressions: 5000,
          visitors: 900,
          addToCart: 200,
          orders: 60,
          buyers: 60,
          gmvCents: 300_000,
          ratings: 20,
          positiveRatings: 20,
          returns: 0,
        };
      }),
    );
    const fix = mkdtempSync(join(tmpdir(), 'grader-growth-fix-'));
    writeFileSync(join(fix, 'categories.jsonl'), '');
    writeFileSync(join(fix, 'sellers.jsonl'), '');
    writeFileSync(join(fix, 'listingMetrics.jsonl'), jsonl(corrected));
    await importCommand({ data: fix });
    await stream.drain();
    await runCommand('growth', { date, sellers: 's1', reason: 'corrected rows of s1', 'as-of': date });
    const changes = await stream.drain();
    expect(changes.length).toBeGreaterThan(0);
    const sellers = new Set(changes.map((c) => c.key.split('|')[0]));
    expect([...sellers]).toEqual(['s1']);
    expect(changes.map((c) => c.key)).toContain(`s1|listingStage#${String(busy[0]!.listingId)}`);
    const runs = (await new RunsRepository(env.store).list({ job: 'growth', period: date })).filter((r) => r.sellers?.includes('s1'));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.counts.written).toBe(changes.length);
  });

  it('a dry run reports what a run would write, and writes nothing', async () => {
    await stream.drain();
    const date = DAYS[2]!;
    const summary = await runCommand('growth', { date, 'dry-run': true, reason: 'what the other seller would get', 'as-of': date });
    expect(summary).toMatch(/would write listingStage of s2/);
    expect(summary).not.toMatch(/ of s1$/m);
    expect(await stream.drain()).toEqual([]);
  });

  it('a re-run of a past date writes nothing: every growth record is current', async () => {
    await stream.drain();
    const summary = await runCommand('growth', { date: DAYS[0]!, reason: 'past date', 'as-of': DAYS[2]! });
    expect(summary).toMatch(/ 0 written/);
    expect(await stream.drain()).toEqual([]);
  });

  it("writes the blocks' states 25 to a request, each read back as the state of its date", async () => {
    const states = new Map<string, GrowthState>(
      Array.from({ length: 30 }, (_, n) => [`batch#${n}`, { asOf: '2026-06-20', listings: { [`l${n}`]: { stage: null, incentives: [] } } }]),
    );
    const before = env.store.stats.requests;
    await new GrowthStates(env.store).put(states);
    expect(env.store.stats.requests - before).toBe(2);
    const around = await new GrowthStates(env.store).around([...states.keys()], '2026-06-20');
    expect(new Map([...around].map(([block, { on, before }]) => [block, { on, before }]))).toEqual(
      new Map([...states].map(([block, state]) => [block, { on: state, before: null }])),
    );
  });

  it('a run that died between its records and its states is redone without writing a record twice', async () => {
    const date = '2026-06-13';
    const request = { job: 'growth' as const, period: date, trigger: 'operator' as const, requestedBy: 'test', reason: 'fault', asOf: date };
    const dying = beforeSends(env.store, (command) => {
      const batch = Object.values((command.input?.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>).flat();
      if (batch.some((r) => String(r.PutRequest?.Item.jobPeriod).startsWith('growthState#'))) throw new Error('killed before its states');
    });
    await stream.drain();
    await expect(runJob({ ...request, runId: 'growth-dies' }, { ...env.deps, store: dying })).rejects.toThrow(/killed before its states/);
    const first = await stream.drain();
    expect(first.length).toBeGreaterThan(0);
    const redone = await runJob({ ...request, runId: 'growth-redone' }, env.deps);
    expect(redone.run.counts.written).toBe(0);
    expect(await stream.drain()).toEqual([]);
    // the states are written now: the next day sees the changes of this one as in force
    const next = await runJob({ ...request, period: '2026-06-14', asOf: '2026-06-14', runId: 'growth-next' }, env.deps);
    expect(next.run.status).toBe('succeeded');
    // had the states not followed, a listing granted on D would be granted the same stage again on D+1
    const incentives = [...(await exported()).values()].filter((r) => r.kind === 'listingIncentive');
    const grantedOn = (d: string) => new Set(incentives.filter((r) => r.grantedOn === d).map((r) => `${String(r.listingId)}|${String(r.stage)}`));
    const [onD, onNext] = [grantedOn(date), grantedOn('2026-06-14')];
    expect(onD.size).toBeGreaterThan(0);
    expect([...onNext].filter((k) => onD.has(k))).toEqual([]);
  });
});
