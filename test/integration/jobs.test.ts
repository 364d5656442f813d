import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorHandler } from '../../functions/operator';
import { overdueRuns, scheduledJobHandler } from '../../functions/scheduledJob';
import { localContext } from '../../functions/local/simulate';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { importData } from '../../functions/jobs/importData';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { gradesStream, localStore } from '../helpers/localStore';
import { scoreLines } from '../helpers/offlineJob';
import { importMarket, smallMarket } from '../helpers/fixtures';

const m = smallMarket();
let env: Awaited<ReturnType<typeof localStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;
const scheduled = () => scheduledJobHandler(() => env.deps);
const operator = () => operatorHandler(() => env.deps);
const withoutRunId = (r: { runId: string }) => ({ ...r, runId: undefined });
const invalidRows = [
  { ...m.rows[0]!, sellerId: m.rows[0]!.sellerId, date: '2026-06-30', ratings: 1, positiveRatings: 2 },
  { ...m.rows[1]!, date: '2026-02-30' },
  { ...m.rows[2]!, sellerId: 'nobody', date: '2026-06-15' },
];

/** The records the same pipeline gives for the same data over the in-memory store (`grader score`). */
async function offline(job: 'monthly' | 'quarterly', period: string, rows: unknown[] = m.rows): Promise<GradeRecord[]> {
  return (await scoreLines(job, period, { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: rows })).records;
}

beforeAll(async () => {
  env = await localStore();
  const summary = await importMarket(env.store, m, invalidRows);
  expect(summary.quarantined).toBe(3);
  stream = await gradesStream(env.store, env.embedded.endpoint);
  await stream.drain();
});

afterAll(async () => {
  stream?.close();
  await env?.stop();
});

describe('the monthly job on DynamoDB Local', () => {
  it('publishes exactly one stream event per new record, equal to the offline pipeline', async () => {
    const out = await scheduled()({ job: 'monthly', scheduledTime: '2026-07-02T10:00:00Z' }, localContext('t'));
    expect(out.state).toBe('succeeded');
    const changes = await stream.drain();
    const expected = await offline('monthly', '2026-07');
    const graded = changes.filter((c) => c.newRecord?.kind !== 'status');
    expect(graded).toHaveLength(expected.length);
    expect(graded.every((c) => c.eventName === 'INSERT')).toBe(true);
    const byKey = new Map(graded.map((c) => [`${c.newRecord!.sellerId}|${c.newRecord!.kind}`, c.newRecord!]));
    for (const r of expected) expect(withoutRunId(byKey.get(`${r.sellerId}|${r.kind}`)!)).toEqual(withoutRunId(r));
    const statuses = changes.filter((c) => c.newRecord?.kind === 'status');
    expect(statuses).toHaveLength(m.market.sellers.length);
  });

  it('counts the quarantined rows of its windows and goes on', async () => {
    const out = await scheduled()({ job: 'monthly', scheduledTime: '2026-07-02T10:00:00Z' }, localContext('t'));
    expect(out.state).toBe('alreadyDone');
    // the bad ratings row of 06-30 and the unknown seller's of 06-15 (both in the windows), and 02-30, in no window: every job counts it (SPEC §3.3)
    expect((out.counts as { quarantined: number }).quarantined).toBe(3);
  });

  it('evaluates a second delivery of the same schedule once and writes nothing', async () => {
    const again = await scheduled()({ job: 'monthly', scheduledTime: '2026-07-02T10:00:00.000Z' }, localContext('t'));
    expect(again.state).toBe('alreadyDone');
    expect(await stream.drain()).toEqual([]);
  });

  it('writes nothing when an operator re-runs a period whose data did not change', async () => {
    const response = await operator()(
      { action: 'rerun', job: 'monthly', period: '2026-07', reason: 'check', requestedBy: 'ops-test', asOf: '2026-07-02' },
      localContext('t'),
    );
    expect(response).toMatchObject({ ok: true, state: 'succeeded', counts: { written: 0, unchanged: 2 * m.market.sellers.length } });
    expect(await stream.drain()).toEqual([]);
  });
});

describe('the quarterly job on DynamoDB Local', () => {
  it('assesses every seller for the quarter before the firing month, equal to the offline pipeline', async () => {
    const out = await scheduled()({ job: 'quarterly', scheduledTime: '2026-07-10T10:00:00Z' }, localContext('t'));
    expect(out.state).toBe('succeeded');
    const changes = (await stream.drain()).filter((c) => c.newRecord?.kind === 'merchantAssessment');
    const expected = await offline('quarterly', '2026-Q2');
    expect(changes).toHaveLength(expected.length);
    const byKey = new Map(changes.map((c) => [c.newRecord!.sellerId, c.newRecord!]));
    for (const r of expected) expect(withoutRunId(byKey.get(r.sellerId)!)).toEqual(withoutRunId(r));
  });
});

describe('the daily job on DynamoDB Local', () => {
  it('re-runs a past date for its daily scores only, leaving the current status and grants alone', async () => {
    await scheduled()({ job: 'daily', scheduledTime: '2026-07-20T10:00:00Z' }, localContext('t'));
    await stream.drain();
    const response = await operator()(
      { action: 'rerun', job: 'daily', period: '2026-07-05', reason: 'late data', requestedBy: 'ops-test', asOf: '2026-07-20' },
      localContext('t'),
    );
    expect(response).toMatchObject({ ok: true, state: 'succeeded' });
    const kinds = new Set((await stream.drain()).map((c) => c.newRecord?.kind));
    expect(kinds).toEqual(new Set(['dailyScore']));
  });

  it("keeps a date's daily scores packed by category: a re-run for one seller rewrites only that seller's score", async () => {
    const rerun = (sellers?: string[]) =>
      operator()(
        {
          action: 'rerun',
          job: 'daily',
          period: '2026-07-20',
          reason: 'check',
          requestedBy: 'ops-test',
          asOf: '2026-07-20',
          ...(sellers ? { sellers } : {}),
        },
        localContext('t'),
      );
    expect(await rerun()).toMatchObject({ ok: true, state: 'succeeded', counts: { written: 0 } });
    expect(await stream.drain()).toEqual([]);

    const target = m.market.sellers[7]!.sellerId;
    const stored = await new ReferenceRepository(env.store).sellers();
    const before = await new DailyScorePacks(env.store).on(stored, '2026-07-20');
    expect(before).toHaveLength(m.market.sellers.length);
    const corrected = m.rows
      .filter((r) => r.sellerId === target && r.date >= '2026-07-01' && r.date <= '2026-07-19')
      .map((r) => ({ ...r, orders: r.orders + 25, visitors: r.visitors + 100 }));
    await importData(env.store, { metrics: corrected }, { policy: DEFAULT_POLICY, importId: 'july-fix', now: '2026-07-21T00:00:00Z' });
    const result = await rerun([target]);
    expect(result).toMatchObject({ ok: true, state: 'succeeded' });
    const all = await stream.drain();
    // the corrected days may also change the target's health check (SPEC §7.5), and nobody else's
    expect(all.filter((c) => c.key.endsWith('|healthCheck')).every((c) => c.key === `${target}|healthCheck`)).toBe(true);
    expect((result as unknown as { counts: { written: number } }).counts.written).toBe(all.length);
    const changes = all.filter((c) => !c.key.endsWith('|healthCheck'));
    expect(changes.map((c) => [c.eventName, c.key])).toEqual([['MODIFY', `${target}|dailyScore#2026-07-20`]]);
    expect(changes[0]!.newRecord).not.toEqual(changes[0]!.oldRecord);

    // the target's pack-mates keep their stored records, runId included
    const after = new Map((await new DailyScorePacks(env.store).on(stored, '2026-07-20')).map((r) => [r.sellerId, r]));
    for (const r of before) if (r.sellerId !== target) expect(after.get(r.sellerId)).toEqual(r);
    expect(after.get(target)!.runId).not.toBe(before.find((r) => r.sellerId === target)!.runId);
  });
});

describe('the daily status refresh', () => {
  it('refreshes after a day with the same inputs only the statuses that can change, leaving every status as a full refresh would', async () => {
    // s-00001's grant is approved on 07-25 (pending until then): its status changes on that date
    const grantee = m.market.grants.find((g) => g.approvedOn === '2026-07-25')!.sellerId;
    await scheduled()({ job: 'daily', scheduledTime: '2026-07-24T10:00:00Z' }, localContext('t'));
    await stream.drain();
    const partial = await scheduled()({ job: 'daily', scheduledTime: '2026-07-25T10:00:00Z' }, localContext('t'));
    expect(partial.state).toBe('succeeded');
    // health checks follow the projections, which move every day (SPEC §7.5): not part of this check
    const changes = (await stream.drain()).filter((c) => c.newRecord?.kind !== 'dailyScore' && !c.key.endsWith('|healthCheck'));
    expect(changes.map((c) => c.key).sort()).toEqual([`${grantee}|goodSellerGrant`, `${grantee}|status`]);
    expect(changes.find((c) => c.newRecord?.kind === 'status')!.newRecord).toMatchObject({
      goodSeller: { status: 'active' },
      merchantTier: { effective: 'silver' },
    });
    // only the grantee's status and grant were compared, not every seller's (each seller's health
    // check is, from its pack's health state, without a read)
    expect((partial.counts as { unchanged: number }).unchanged).toBeLessThan(2 * m.market.sellers.length);

    // an operator re-run of the same date refreshes every status: nothing differs
    const full = await operator()(
      { action: 'rerun', job: 'daily', period: '2026-07-25', asOf: '2026-07-25', reason: 'full refresh check', requestedBy: 'ops-test' },
      localContext('t'),
    );
    expect(full).toMatchObject({ ok: true, state: 'succeeded', counts: { written: 0 } });
    expect((full as unknown as { counts: { unchanged: number } }).counts.unchanged).toBeGreaterThanOrEqual(2 * m.market.sellers.length);
    expect(await stream.drain()).toEqual([]);
  });

  it('refreshes every status when the reference data changed since the day before', async () => {
    const seller = m.market.sellers[3]!.sellerId;
    await operator()({ action: 'setProgram', sellerId: seller, program: 'styled', on: '2026-07-10', by: 'ops-test' }, localContext('t'));
    await stream.drain();
    const out = await scheduled()({ job: 'daily', scheduledTime: '2026-07-26T10:00:00Z' }, localContext('t'));
    expect((out.counts as { unchanged: number }).unchanged).toBeGreaterThanOrEqual(m.market.sellers.length);
    await stream.drain();
  });
});

describe('the watch on rare schedules', () => {
  it('reports a monthly or quarterly period due by a date that has no successful run', async () => {
    expect(await overdueRuns('2026-07-20', env.deps)).toEqual([]);
    expect(await overdueRuns('2026-08-05', env.deps)).toEqual(['monthly']);
    expect(await overdueRuns('2026-10-12', env.deps)).toEqual(['monthly', 'quarterly']);
  });
});

describe('operator requests', () => {
  it('rejects a bad payload naming the field, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ action: 'rerun', job: 'monthly', period: '2026-13', reason: 'x', requestedBy: 'ops' }, 'period'],
      [{ action: 'rerun', job: 'monthly', period: '2026-07', requestedBy: 'ops' }, 'reason'],
      [{ action: 'rerun', job: 'monthly', period: '2026-07', reason: 'x', requestedBy: 'ops', sellers: [m.market.sellers[0]!.sellerId, 'ghost'] }, 'sellers.1'],
      [{ action: 'rerun', job: 'weekly', period: '2026-07', reason: 'x', requestedBy: 'ops' }, 'job'],
      [{ action: 'approveGoodSeller', sellerId: 's-00001', appliedOn: '2026-02-30', approvedOn: '2026-03-01', approvedBy: 'ops' }, 'appliedOn'],
      [{ action: 'setProgram', sellerId: 's-00001', program: 'vip', on: '2026-03-01', by: 'ops' }, 'program'],
    ];
    for (const [payload, field] of cases) {
      const response = await operator()(payload, localContext('t'));
      expect(response).toMatchObject({ ok: false, field });
      expect((response as { error: string }).error).toContain(field);
    }
    expect(await stream.drain()).toEqual([]);
  });

  it('writes nothing on a dry run and reports what a run would change', async () => {
    const target = m.market.sellers[5]!.sellerId;
    const corrected = m.rows
      .filter((r) => r.sellerId === target && r.date >= '2026-06-01' && r.date <= '2026-06-30')
      .map((r) => ({ ...r, orders: r.orders + 40, gmvCents: r.gmvCents + 400_000 }));
    // the correction goes through import like any data fix; the old rows of those days are replaced
    await importData(env.store, { metrics: corrected }, { policy: DEFAULT_POLICY, importId: 'fix', now: '2026-08-02T00:00:00Z' }).catch((e) => {
      throw e;
    });
    const response = await operator()(
      { action: 'rerun', job: 'monthly', period: '2026-07', dryRun: true, reason: 'preview the fix', requestedBy: 'ops-test', asOf: '2026-07-02' },
      localContext('t'),
    );
    expect(response.ok).toBe(true);
    const wouldChange = (response as unknown as { wouldChange: GradeRecord[] }).wouldChange;
    expect(wouldChange.some((r) => r.sellerId === target && r.kind === 'operationTier')).toBe(true);
    expect(await stream.drain()).toEqual([]);
  });

  it('re-runs for one seller: its pool is recomputed in full, only that seller is written', async () => {
    const target = m.market.sellers[5]!.sellerId;
    const response = await operator()(
      { action: 'rerun', job: 'monthly', period: '2026-07', sellers: [target], reason: 'data fix', requestedBy: 'ops-test', asOf: '2026-07-02' },
      localContext('t'),
    );
    expect(response).toMatchObject({ ok: true, state: 'succeeded' });
    const changes = await stream.drain();
    expect(changes.length).toBeGreaterThan(0);
    expect(new Set(changes.map((c) => c.newRecord!.sellerId))).toEqual(new Set([target]));
    const fixed = m.rows.map((r) =>
      r.sellerId === target && r.date >= '2026-06-01' && r.date <= '2026-06-30' ? { ...r, orders: r.orders + 40, gmvCents: r.gmvCents + 400_000 } : r,
    );
    const expected = (await offline('monthly', '2026-07', fixed)).find((r) => r.sellerId === target && r.kind === 'operationTier')!;
    const written = changes.find((c) => c.newRecord!.kind === 'operationTier')!.newRecord!;
    expect(withoutRunId(written)).toEqual(withoutRunId(expected));
  });
});
