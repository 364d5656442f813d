import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunsRepository } from '../../functions/data/runsRepository';
import { exportSchema } from '../../functions/exportActions';
import { localContext } from '../../functions/local/simulate';
import { operatorHandler } from '../../functions/operator';
import { isAnswerTo, operatorResponseSchema } from '../../functions/operatorActions';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { localStore } from '../helpers/localStore';

const m = smallMarket(30, '2026-04-01', '2026-07-31', 5);
const seller = m.market.sellers[0]!.sellerId;
let env: Awaited<ReturnType<typeof localStore>>;
const operator = (payload: Record<string, unknown>) => operatorHandler(() => ({ ...env.deps, now: () => '2026-08-10T18:00:00Z' }))(payload, localContext('t'));
const rerun = { action: 'rerun', job: 'monthly', period: '2026-07', reason: 'answers test', requestedBy: 'ops-li' };

beforeAll(async () => {
  env = await localStore();
  await importMarket(env.store, m);
});

afterAll(async () => {
  await env?.stop();
});

describe('the operator answers grader runs (issue 18)', () => {
  it('with the run records of a job and period, and of a state, as the runs table holds them', async () => {
    const run = await operator(rerun);
    const dry = await operator({ ...rerun, dryRun: true });
    expect([run.ok, dry.ok]).toEqual([true, true]);
    const stored = await new RunsRepository(env.store).list({ job: 'monthly', period: '2026-07' });
    expect(stored).toHaveLength(2);

    const all = await operator({ action: 'runs', job: 'monthly', period: '2026-07' });
    expect(isAnswerTo(all, 'runs') && all.runs).toEqual(stored);
    const succeeded = await operator({ action: 'runs', state: 'succeeded' });
    expect(isAnswerTo(succeeded, 'runs') && succeeded.runs.map((r) => r.runId).sort()).toEqual(stored.map((r) => r.runId).sort());
    const running = await operator({ action: 'runs', state: 'running' });
    expect(isAnswerTo(running, 'runs') && running.runs).toEqual([]);
  });

  it('with one run by its id, which a re-run answer names with its job and period', async () => {
    const run = await operator({ ...rerun, dryRun: true });
    if (!isAnswerTo(run, 'rerun')) throw new Error(JSON.stringify(run));
    expect([run.job, run.period]).toEqual(['monthly', '2026-07']);
    const one = await operator({ action: 'runs', job: run.job, period: run.period, runId: run.runId });
    expect(isAnswerTo(one, 'runs') && one.runs.map((r) => [r.runId, r.status, r.dryRun])).toEqual([[run.runId, 'succeeded', true]]);
    const none = await operator({ action: 'runs', job: run.job, period: run.period, runId: 'operator-monthly-2026-07-nothing' });
    expect(isAnswerTo(none, 'runs') && none.runs).toEqual([]);
  });

  it.each([
    ['a run id without its job and period', { action: 'runs', runId: 'r-1' }, 'runId'],
    ['an unknown job', { action: 'runs', job: 'hourly' }, 'job'],
    ['an unknown state', { action: 'runs', state: 'stalled' }, 'state'],
    ['a period of 1 KB', { action: 'runs', period: 'x'.repeat(1024) }, 'period'],
    ['an unknown field', { action: 'runs', limit: 5 }, ''],
  ])('refuses %s, naming the field', async (_, request, field) => {
    const response = await operator(request);
    expect(response.ok).toBe(false);
    if (field) expect(!response.ok && response.field).toBe(field);
  });
});

describe("the operator's answers (issue 18)", () => {
  it('are each one of the answers the response schema names, discriminated by action', async () => {
    const responses = await Promise.all([
      operator({ ...rerun, dryRun: true }),
      operator({ action: 'runs' }),
      operator({ action: 'explain', sellerId: seller, date: '2026-08-01' }),
      operator({ action: 'findings' }),
      operator({ action: 'listPolicies' }),
      operator({ action: 'showPolicy' }),
      operator({ action: 'orders', sellerId: seller, from: '2026-07-01', to: '2026-07-31' }),
      operator({ action: 'listings', sellerId: seller }),
      operator({ action: 'explain', sellerId: 'no-such-seller' }),
    ]);
    for (const response of responses) expect(operatorResponseSchema.safeParse(response).success, JSON.stringify(response).slice(0, 200)).toBe(true);
    expect(responses.map((r) => [r.action, r.ok])).toEqual([
      ['rerun', true],
      ['runs', true],
      ['explain', true],
      ['findings', true],
      ['listPolicies', true],
      ['showPolicy', true],
      ['orders', true],
      ['listings', true],
      ['explain', false],
    ]);
    expect(operatorResponseSchema.safeParse({ ok: true, action: 'runs' }).success).toBe(false);
    expect(operatorResponseSchema.safeParse({ ok: true, action: 'export', records: [] }).success).toBe(false);
  });
});

describe('the export action (issue 18)', () => {
  it.each([
    ['a daily score without its date', { action: 'export', kind: 'dailyScore' }, 'period'],
    ['a month for a daily score', { action: 'export', kind: 'dailyScore', period: '2026-07' }, 'period'],
    ['a date for an operation tier', { action: 'export', kind: 'operationTier', period: '2026-07-01' }, 'period'],
    ['a month for a merchant assessment', { action: 'export', kind: 'merchantAssessment', period: '2026-07' }, 'period'],
    ['an unknown kind', { action: 'export', kind: 'everything' }, 'kind'],
  ])('refuses %s, naming the field', (_, request, field) => {
    const parsed = exportSchema.safeParse(request);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe(field);
  });

  it('takes a period of the shape of its kind, and none for the current records', () => {
    for (const request of [
      { action: 'export', kind: 'dailyScore', period: '2026-07-01' },
      { action: 'export', kind: 'serviceLevel', period: '2026-07' },
      { action: 'export', kind: 'merchantAssessment', period: '2026-Q2' },
      { action: 'export', kind: 'status' },
      { action: 'export', kind: 'listingStage' },
    ])
      expect(exportSchema.safeParse(request).success, JSON.stringify(request)).toBe(true);
  });
});
