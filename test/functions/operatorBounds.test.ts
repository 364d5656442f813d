import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localContext } from '../../functions/local/simulate';
import { operatorHandler } from '../../functions/operator';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, memoryStore } from '../helpers/localStore';

const m = smallMarket(40, '2026-04-01', '2026-07-31', 5);
const seller = m.market.sellers[0]!.sellerId;
const grantSeller = m.market.grants[0]?.sellerId ?? seller;
let env: Awaited<ReturnType<typeof memoryStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;
// today is 2026-08-10 for every request below
const operator = (payload: Record<string, unknown>) => operatorHandler(() => ({ ...env.deps, now: () => '2026-08-10T18:00:00Z' }))(payload, localContext('t'));
const rerun = { action: 'rerun', job: 'monthly', period: '2026-07', reason: 'bounds test', requestedBy: 'ops-li' };

/** Every item of every table, to show that a refused request changed nothing. */
async function snapshot(): Promise<string> {
  const tables = Object.values(env.store.tables).sort();
  const items = await Promise.all(tables.map(async (TableName) => (await env.store.doc.send(new ScanCommand({ TableName }))).Items ?? []));
  return JSON.stringify(items.map((list) => list.map((i) => JSON.stringify(i)).sort()));
}

beforeAll(async () => {
  env = await memoryStore();
  await importMarket(env.store, m);
  stream = await gradesStream(env.store, env.embedded.endpoint);
  await stream.drain();
});

afterAll(async () => {
  stream?.close();
  await env?.stop();
});

describe('operator requests out of bounds (SPEC §8.3) are refused with the field named, and change nothing', () => {
  it.each([
    ['a month not yet due', { ...rerun, period: '2026-09' }, 'period', /monthly 2026-09 is not due: its scheduled run is on 2026-09-02/],
    ['a month far in the future', { ...rerun, period: '2099-12' }, 'period', /not due/],
    ['the month 9999-12', { ...rerun, period: '9999-12' }, 'period', /not due/],
    ['the quarter 9999-Q4', { ...rerun, job: 'quarterly', period: '9999-Q4' }, 'period', /not due: its scheduled run is on a date past 9999/],
    ['a quarter whose run is after today', { ...rerun, job: 'quarterly', period: '2026-Q3' }, 'period', /2026-10-10/],
    ['a day after today', { ...rerun, job: 'daily', period: '2099-12-31' }, 'period', /not due/],
    ['a day before the data begins', { ...rerun, job: 'daily', period: '0001-01-01' }, 'period', /before data.earliestDate \(2015-01-01\)/],
    ['an asOf later than today', { ...rerun, asOf: '2099-01-01' }, 'asOf', /must not be after today \(2026-08-10\)/],
    ['a reason of 1 MB', { ...rerun, reason: 'x'.repeat(1 << 20) }, 'reason', /at most 1000 characters/],
    ['100,000 sellers', { ...rerun, sellers: Array.from({ length: 100_000 }, (_, i) => `s-${i}`) }, 'sellers', /at most 1000 sellers/],
    [
      'an approval applied for in the year 1',
      { action: 'approveGoodSeller', sellerId: seller, appliedOn: '0001-01-01', approvedOn: '2026-07-01', approvedBy: 'ops-li' },
      'appliedOn',
      /before data.earliestDate/,
    ],
    [
      'an approval dated after today',
      { action: 'approveGoodSeller', sellerId: seller, appliedOn: '2026-07-01', approvedOn: '2026-08-11', approvedBy: 'ops-li' },
      'approvedOn',
      /after today/,
    ],
    [
      'an approval before its application',
      { action: 'approveGoodSeller', sellerId: seller, appliedOn: '2026-07-02', approvedOn: '2026-07-01', approvedBy: 'ops-li' },
      'approvedOn',
      /before appliedOn/,
    ],
    [
      'a note of 1 MB',
      { action: 'approveGoodSeller', sellerId: seller, appliedOn: '2026-07-01', approvedOn: '2026-07-02', approvedBy: 'ops-li', note: 'x'.repeat(1 << 20) },
      'note',
      /at most 1000/,
    ],
    ['a revocation after today', { action: 'revokeGoodSeller', sellerId: grantSeller, on: '2026-08-11', by: 'ops-li' }, 'on', /after today/],
    [
      'a program set before the data begins',
      { action: 'setProgram', sellerId: seller, program: 'mall', on: '1999-01-01', by: 'ops-li' },
      'on',
      /before data.earliestDate/,
    ],
  ] as const)('%s', async (_, request, field, message) => {
    const before = await snapshot();
    const response = await operator(request);
    expect(response).toMatchObject({ ok: false, field });
    expect(response.ok || response.error).toMatch(message);
    expect(response.ok || response.error.length).toBeLessThan(400);
    expect(await snapshot()).toBe(before);
    expect(await stream.drain()).toEqual([]);
  });

  it('accepts the month whose run is today, the edge of the bound', async () => {
    const response = await operator({ ...rerun, period: '2026-08', dryRun: true });
    expect(response).toMatchObject({ ok: true, dryRun: true });
  });
});
