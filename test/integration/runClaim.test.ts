import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStats } from '../../functions/data/requestStats';
import { RunsRepository } from '../../functions/data/runsRepository';
import { localStore } from '../helpers/localStore';

let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
});

afterAll(async () => {
  await env?.stop();
});

const NOW = '2026-07-02T10:00:00.000Z';
const draft = (owner: string, leaseUntil: string) => ({
  runId: 'schedule-monthly-2026-06',
  job: 'monthly' as const,
  period: '2026-06',
  trigger: 'schedule' as const,
  requestedBy: 'scheduler',
  reason: 'test',
  asOf: '2026-07-02',
  policyVersion: '2026.1',
  statusPolicyVersion: null,
  dryRun: false,
  sellers: null,
  categories: null,
  startedAt: NOW,
  leaseUntil,
  owner,
});

describe('a run claimed again', () => {
  it('finds the stored run in the refused write itself: no read follows the refusal', async () => {
    const runs = new RunsRepository(env.store);
    expect(await runs.claim(draft('first', '2026-07-02T10:05:00.000Z'), NOW)).toMatchObject({ state: 'started', fresh: true });
    env.store.stats = new RequestStats();
    const busy = await runs.claim(draft('second', '2026-07-02T10:06:00.000Z'), NOW);
    expect(busy).toMatchObject({ state: 'busy', run: { owner: 'first', attempts: 1 } });
    // the conditional put and the period's runs, read beside it
    expect(env.store.stats.requests).toBe(2);

    env.store.stats = new RequestStats();
    const resumed = await runs.claim(draft('second', '2026-07-02T10:16:00.000Z'), '2026-07-02T10:10:00.000Z');
    expect(resumed).toMatchObject({ state: 'resumed', run: { owner: 'second', attempts: 2 } });
    expect(env.store.stats.requests).toBe(3);
  });

  it('ends as the stored run says when another attempt took it over before it finished', async () => {
    const runs = new RunsRepository(env.store);
    const mine = await runs.claim({ ...draft('old', '2026-07-02T10:05:00.000Z'), runId: 'taken', period: '2026-05' }, NOW);
    await runs.claim({ ...draft('new', '2026-07-02T10:20:00.000Z'), runId: 'taken', period: '2026-05' }, '2026-07-02T10:10:00.000Z');
    env.store.stats = new RequestStats();
    const ended = await runs.finish(mine.run, { status: 'succeeded', counts: mine.run.counts }, '2026-07-02T10:11:00.000Z');
    expect(ended).toMatchObject({ status: 'running', owner: 'new', attempts: 2 });
    expect(env.store.stats.requests).toBe(1);
  });
});
