import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Ajv2020 } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyCommand } from '../../bin/cli/policy';
import { score } from '../../bin/cli/score';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { RunsRepository, scheduledRunId } from '../../functions/data/runsRepository';
import type { HandlerDependencies } from '../../functions/environment';
import { importData } from '../../functions/jobs/importData';
import { runJob, runShards, type ShardTask } from '../../functions/jobs/runJob';
import { localContext } from '../../functions/local/simulate';
import { operatorHandler } from '../../functions/operator';
import { isAnswerTo } from '../../functions/operatorActions';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { smallMarket } from '../helpers/fixtures';
import { jsonl } from '../helpers/jsonlFiles';
import { gradesStream, localStore } from '../helpers/localStore';
import { scoreLines } from '../helpers/offlineJob';

const m = smallMarket(60, '2026-05-01', '2026-10-31', 11);
const dir = mkdtempSync(join(tmpdir(), 'grader-policy-'));
// today is 2026-11-20 for every request through the operator
const NOW = '2026-11-20T18:00:00Z';
const v2: Policy = parsePolicy({
  ...DEFAULT_POLICY,
  version: '2026.2',
  tiers: { ...DEFAULT_POLICY.tiers, quantiles: { top: 0.9, highPotential: 0.6, mid: 0.3 } },
});
const announced: { detailType: string; detail: object }[] = [];
let env: Awaited<ReturnType<typeof localStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;

const published = (): HandlerDependencies => ({
  ...env.deps,
  policySource: 'published',
  now: () => NOW,
  announce: async (event) => {
    announced.push(event);
  },
});
const operator = (payload: Record<string, unknown>, deps: () => HandlerDependencies = published) => operatorHandler(deps)(payload, localContext('t'));
const rerun = (job: string, period: string, extra: Record<string, unknown> = {}) =>
  operator({ action: 'rerun', job, period, reason: 'policy versions test', requestedBy: 'ops-li', ...extra });
const publish = (document: unknown, from: string, extra: Record<string, unknown> = {}) =>
  operator({ action: 'publishPolicy', document, from, reason: 'wider tiers', publishedBy: 'ops-li', ...extra });

/** Every item of every table, to show that a refused request changed nothing. */
async function snapshot(): Promise<string> {
  const tables = Object.values(env.store.tables).sort();
  const items = await Promise.all(tables.map(async (TableName) => (await env.store.doc.send(new ScanCommand({ TableName }))).Items ?? []));
  return JSON.stringify(items.map((list) => list.map((i) => JSON.stringify(i)).sort()));
}

/** What the offline pipeline gives for a month under a policy. */
async function offline(period: string, policy: Policy): Promise<GradeRecord[]> {
  return (
    await scoreLines('monthly', period, { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows }, { policy })
  ).records;
}
const tiersOf = (records: GradeRecord[]) =>
  new Map(records.flatMap((r) => (r.kind === 'operationTier' ? [[r.sellerId, `${r.tier}@${r.policyVersion}`] as const] : [])));

beforeAll(async () => {
  env = await localStore();
  await importData(
    env.store,
    { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows },
    { policy: DEFAULT_POLICY, importId: 'fixture', now: NOW },
  );
  for (const [file, rows] of Object.entries({ categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows })) {
    writeFileSync(join(dir, `${file}.jsonl`), jsonl(rows));
  }
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  stream = await gradesStream(env.store, env.embedded.endpoint);
  // the months before any publication grade with the built-in default
  for (const period of ['2026-09', '2026-10']) expect(await rerun('monthly', period)).toMatchObject({ ok: true, state: 'succeeded', policyVersion: '2026.1' });
  await stream.drain();
}, 120_000);

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  stream?.close();
  await env?.stop();
});

describe('grader policy show, before anything is published', () => {
  it('prints the default, which `grader score --policy` grades exactly as no policy at all', async () => {
    const notes: string[] = [];
    const shown = await policyCommand('show', [], {}, (n) => notes.push(n));
    expect(notes).toEqual(['policy 2026.1: built in, from the beginning: the defaults of SPEC §2–§7 (lib/policy.ts)']);
    writeFileSync(join(dir, 'p.json'), shown);
    await score({ job: 'monthly', period: '2026-10', data: dir, policy: join(dir, 'p.json'), out: join(dir, 'with-p.jsonl') });
    await score({ job: 'monthly', period: '2026-10', data: dir, out: join(dir, 'without.jsonl') });
    const withP = readFileSync(join(dir, 'with-p.jsonl'), 'utf8');
    expect(withP.split('\n').length).toBeGreaterThan(m.market.sellers.length);
    expect(withP).toBe(readFileSync(join(dir, 'without.jsonl'), 'utf8'));
  });
});

describe('a bad document or publication', () => {
  it.each([
    ['a pool of no seller', { ...DEFAULT_POLICY, version: '2026.2', pool: { minSize: 0 } }, '2026-10', 'document.pool.minSize', /too small/i],
    [
      'disordered tier quantiles',
      { ...v2, tiers: { ...v2.tiers, quantiles: { top: 0.5, highPotential: 0.6, mid: 0.3 } } },
      '2026-10',
      'document.tiers.quantiles',
      /ordered/,
    ],
    ['an unknown entry', { ...v2, poolSize: 3 }, '2026-10', 'document', /poolSize/],
    ['a list for a document', [1, 2], '2026-10', 'document', /policy document/],
    ['a month 13', v2, '2026-13', 'from', /YYYY-MM/],
    ['the default changed under its own version', { ...DEFAULT_POLICY, pool: { minSize: 5 } }, '2026-10', 'document.version', /2026.1 is already published/],
  ])('is refused for %s, with the field named, and nothing is published', async (_, document, from, field, message) => {
    const before = await snapshot();
    const response = await publish(document, from);
    expect(response).toMatchObject({ ok: false, field });
    expect(response.ok || response.error).toMatch(message);
    expect(await snapshot()).toBe(before);
    expect(await operator({ action: 'listPolicies' })).toMatchObject({ ok: true, publications: [{ version: '2026.1' }] });
    expect(announced).toEqual([]);
  });

  it('is named in the file by grader policy check, which changes nothing', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...v2, smoothing: { rate: -1, mean: 10 } }));
    const before = await snapshot();
    await expect(policyCommand('check', [join(dir, 'bad.json')], {})).rejects.toThrow(/bad\.json: document\.smoothing\.rate: /);
    writeFileSync(join(dir, 'p2.json'), JSON.stringify(v2));
    expect(await policyCommand('check', [join(dir, 'p2.json')], {})).toMatch(
      /p2\.json: policy 2026\.2 is valid and publishable; 3 entries differ from 2026\.1 \(in force today\)\n {2}tiers\.quantiles\.top: 0\.95 → 0\.9\n/,
    );
    expect(await snapshot()).toBe(before);
  });
});

describe('a published version', () => {
  beforeAll(async () => {
    expect(await publish(v2, '2026-10')).toMatchObject({
      ok: true,
      published: true,
      announced: true,
      publication: { version: '2026.2', from: '2026-10', seq: 1 },
    });
  });

  it('is announced by a PolicyPublished event that its published schema accepts', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/events/PolicyPublished.schema.json'), 'utf8')) as object);
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({
      detailType: 'PolicyPublished',
      detail: {
        version: '2026.2',
        from: '2026-10',
        previousVersion: '2026.1',
        entries: ['tiers.quantiles.top', 'tiers.quantiles.highPotential', 'tiers.quantiles.mid'],
        publishedBy: 'ops-li',
        publishedAt: NOW,
        reason: 'wider tiers',
      },
    });
    expect(validate(announced[0]!.detail), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is immutable: the same document again writes nothing and is announced again with the same id; another is refused', async () => {
    const before = await snapshot();
    const again = await publish(JSON.parse(JSON.stringify(v2)), '2026-10', { reason: 'again', publishedBy: 'ops-wu' });
    expect(again).toMatchObject({ ok: true, published: false, publication: { publishedBy: 'ops-li', reason: 'wider tiers' } });
    expect(announced.map((e) => (e.detail as { eventId: string }).eventId)).toEqual([
      (announced[0]!.detail as { eventId: string }).eventId,
      (announced[0]!.detail as { eventId: string }).eventId,
    ]);
    const other = await publish({ ...v2, pool: { minSize: 10 } }, '2026-10');
    expect(other).toMatchObject({ ok: false, field: 'document.version' });
    expect(other.ok || other.error).toMatch(/2026\.2 is already published by ops-li at 2026-11-20T18:00:00Z with another document/);
    expect(await publish(v2, '2026-11')).toMatchObject({ ok: false, field: 'from' });
    expect(await publish({ ...v2, version: '2026.3' }, '2026-09')).toMatchObject({ ok: false, field: 'from' });
    expect(await snapshot()).toBe(before);
  });

  it('grades the months from its `from` on, as the offline pipeline does under it', async () => {
    const response = await rerun('monthly', '2026-10');
    expect(response).toMatchObject({ ok: true, state: 'succeeded', policyVersion: '2026.2' });
    const changes = await stream.drain();
    const graded = changes.flatMap((c) => (c.newRecord && c.newRecord.kind !== 'status' ? [c.newRecord] : []));
    const stored = await new GradesRepository(env.store).listPeriodIn(
      'operationTier',
      '2026-10',
      m.market.categories.map((c) => c.categoryId),
    );
    expect(tiersOf(stored)).toEqual(tiersOf(await offline('2026-10', v2)));
    // every record now names the version (SPEC §9), and some tiers moved with the wider quantiles
    expect(graded.length).toBeGreaterThanOrEqual(2 * m.market.sellers.length);
    expect(new Set(stored.map((r) => r.policyVersion))).toEqual(new Set(['2026.2']));
    const before = tiersOf(await offline('2026-10', DEFAULT_POLICY));
    expect([...tiersOf(stored)].filter(([s, t]) => t.split('@')[0] !== before.get(s)!.split('@')[0]).length).toBeGreaterThan(0);
  });

  it('leaves the months before it as they were: their re-run writes nothing', async () => {
    const response = await rerun('monthly', '2026-09');
    expect(response).toMatchObject({ ok: true, state: 'succeeded', policyVersion: '2026.1', counts: { written: 0 } });
    expect(await stream.drain()).toEqual([]);
  });

  it('is chosen by the month a period starts in: a daily date, a quarter by its first month', async () => {
    for (const [job, period, version] of [
      ['daily', '2026-09-30', '2026.1'],
      ['daily', '2026-10-01', '2026.2'],
      ['quarterly', '2026-Q3', '2026.1'],
    ] as const) {
      expect(await rerun(job, period, { dryRun: true }), `${job} ${period}`).toMatchObject({ ok: true, policyVersion: version });
    }
    const runs = await new RunsRepository(env.store).list({ job: 'daily', period: '2026-10-01' });
    expect(runs.map((r) => [r.dryRun, r.policyVersion])).toEqual([[true, '2026.2']]);
  });

  it('recomputes an earlier month in a dry run that names it (a what-if), and writes nothing', async () => {
    const whatIf = await rerun('monthly', '2026-09', { policyVersion: '2026.2', dryRun: true });
    expect(whatIf).toMatchObject({ ok: true, dryRun: true, policyVersion: '2026.2' });
    const would = (whatIf as unknown as { wouldChange: GradeRecord[] }).wouldChange.filter((r) => r.kind === 'operationTier');
    expect(tiersOf(would)).toEqual(tiersOf(await offline('2026-09', v2)));
    expect(await stream.drain()).toEqual([]);
    // the dry run's own run record is its audit; nothing else moved
    const runs = await new RunsRepository(env.store).list({ job: 'monthly', period: '2026-09' });
    expect(runs.filter((r) => r.policyVersion === '2026.2')).toMatchObject([{ dryRun: true, requestedBy: 'ops-li', status: 'succeeded' }]);
  });

  it.each([
    ['a version not in force, in a run that writes', { policyVersion: '2026.2' }, /2026\.2 is not in force for monthly 2026-09 \(2026\.1 is\)/],
    ['a version never published', { policyVersion: '2031.1', dryRun: true }, /no policy version 2031\.1 is published/],
  ])('refuses %s, naming policyVersion, and changes nothing', async (_, extra, message) => {
    const before = await snapshot();
    const response = await rerun('monthly', '2026-09', extra);
    expect(response).toMatchObject({ ok: false, field: 'policyVersion' });
    expect(response.ok || response.error).toMatch(message);
    expect(await snapshot()).toBe(before);
  });

  it('may be named where it is in force', async () => {
    expect(await rerun('monthly', '2026-10', { policyVersion: '2026.2' })).toMatchObject({ ok: true, counts: { written: 0 } });
  });

  it('cannot be named where GRADER_POLICY_FILE pins the policy', async () => {
    const pinned = () => ({ ...env.deps, now: () => NOW });
    const response = await operator(
      { action: 'rerun', job: 'monthly', period: '2026-10', reason: 'r', requestedBy: 'ops-li', policyVersion: '2026.2', dryRun: true },
      pinned,
    );
    expect(response).toMatchObject({ ok: false, field: 'policyVersion' });
    expect(response.ok || response.error).toMatch(/pinned to 2026\.1/);
  });

  it('is listed, shown in full and compared entry by entry', async () => {
    expect(await policyCommand('list', [], {})).toBe(
      [
        '2026.1         built in, from the beginning: the defaults of SPEC §2–§7 (lib/policy.ts)',
        `2026.2       * from 2026-10, published ${NOW} by ops-li: wider tiers`,
        '* in force today',
      ].join('\n'),
    );
    expect(parsePolicy(JSON.parse(await policyCommand('show', [], { version: '2026.2' }, () => {})))).toEqual(v2);
    expect(await policyCommand('diff', ['2026.1', join(dir, 'p2.json')], {})).toBe(
      [
        `4 entries differ between 2026.1 (2026.1) and ${join(dir, 'p2.json')} (2026.2):`,
        '  version: "2026.1" → "2026.2"',
        '  tiers.quantiles.top: 0.95 → 0.9',
        '  tiers.quantiles.highPotential: 0.8 → 0.6',
        '  tiers.quantiles.mid: 0.5 → 0.3',
      ].join('\n'),
    );
    expect(await operator({ action: 'diffPolicies', a: '2026.2', b: 'nope' })).toMatchObject({ ok: false, field: 'b' });
  });

  it('recomputes offline with `grader score --policy-version`, read from the tables, as with its file', async () => {
    const published = (await import('../../bin/cli/policy')).publishedPolicy;
    await score({
      job: 'monthly',
      period: '2026-09',
      data: dir,
      policyVersion: '2026.2',
      publishedPolicy: await published('2026.2', {}),
      out: join(dir, 'v.jsonl'),
    });
    await score({ job: 'monthly', period: '2026-09', data: dir, policy: join(dir, 'p2.json'), out: join(dir, 'f.jsonl') });
    expect(readFileSync(join(dir, 'v.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'f.jsonl'), 'utf8'));
  });

  it('is named, with who published it and why, in the explanation of a grade it computed', async () => {
    const response = await operator({ action: 'explain', sellerId: m.market.sellers[0]!.sellerId, date: '2026-10-20' });
    expect(isAnswerTo(response, 'explain') && response.explanation).toEqual(
      expect.arrayContaining([
        `Policy 2026.2 (in force from 2026-10, published ${NOW} by ops-li: wider tiers) computed the operation tier 2026-10, service level 2026-10, status as of 2026-11-20.`,
      ]),
    );
  });
});

describe('every shard and every attempt of a run', () => {
  it('evaluates with the version on its run record, even after a newer one is published for its period', async () => {
    const tasks: ShardTask[] = [];
    const period = '2026-10-13';
    const planned = await runJob(
      { job: 'daily', period, trigger: 'schedule', requestedBy: 'scheduler', reason: 'test', asOf: period, runId: scheduledRunId('daily', period) },
      { ...published(), dispatch: async (t) => void tasks.push(...t) },
    );
    expect(planned).toMatchObject({ state: 'dispatched', run: { policyVersion: '2026.2' } });
    expect(await publish({ ...v2, version: '2026.3', pool: { minSize: 10 } }, '2026-10', { reason: 'smaller pools' })).toMatchObject({
      ok: true,
      published: true,
    });
    const outcome = await runShards(tasks, published(), { id: 'worker', claimUntil: '2099-01-01T00:00:00Z' });
    expect(outcome.runFinished).toBe(true);
    const scores = await new DailyScorePacks(env.store).on(await new ReferenceRepository(env.store).sellers(), period);
    expect(scores).toHaveLength(m.market.sellers.length);
    expect(new Set(scores.map((r) => r.policyVersion))).toEqual(new Set(['2026.2']));

    // an attempt that died under 2026.2 is resumed under 2026.2, not the version now in force
    const died = '2026-10-14';
    const runs = new RunsRepository(env.store);
    await runs.claim(
      {
        runId: scheduledRunId('daily', died),
        job: 'daily',
        period: died,
        trigger: 'schedule',
        requestedBy: 'scheduler',
        reason: 'died',
        asOf: died,
        policyVersion: '2026.2',
        statusPolicyVersion: null,
        dryRun: false,
        sellers: null,
        categories: null,
        startedAt: NOW,
        leaseUntil: '2026-01-01T00:00:00Z',
        owner: 'dead',
      },
      NOW,
    );
    const resumed = await runJob(
      { job: 'daily', period: died, trigger: 'schedule', requestedBy: 'scheduler', reason: 'test', asOf: died, runId: scheduledRunId('daily', died) },
      published(),
    );
    expect(resumed).toMatchObject({ state: 'succeeded', run: { attempts: 2, policyVersion: '2026.2' } });
    const next = await runJob(
      { job: 'daily', period: '2026-10-15', trigger: 'schedule', requestedBy: 'scheduler', reason: 'test', asOf: '2026-10-15', runId: 'fresh' },
      published(),
    );
    expect(next.run.policyVersion).toBe('2026.3');
  });
});

describe('a publication the bus refuses to announce', () => {
  it('is stored and says so; publishing the same document again announces it', async () => {
    const refusing = () => ({
      ...published(),
      announce: async () => {
        throw new Error('EventBridge refused the PolicyPublished event');
      },
    });
    const v4 = { ...v2, version: '2026.4' };
    const failed = await operator({ action: 'publishPolicy', document: v4, from: '2026-11', reason: 'r', publishedBy: 'ops-li' }, refusing);
    expect(failed).toMatchObject({ ok: false });
    expect(failed.ok || failed.error).toMatch(/policy 2026\.4 is published, but its PolicyPublished event could not be sent: publish the same document again/);
    const sent = announced.length;
    expect(await publish(v4, '2026-11')).toMatchObject({ ok: true, published: false, announced: true });
    expect(announced.slice(sent)).toMatchObject([{ detailType: 'PolicyPublished', detail: { version: '2026.4', previousVersion: '2026.3' } }]);
  });
});
