import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, orderCommand, ordersCommand, runCommand, showCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { handleOperatorRequest } from '../../functions/operator';
import { isAnswerTo } from '../../functions/operatorActions';
import { monthlyWindows } from '../../lib/calendar';
import { csvRecords } from '../helpers/csv';
import { localStore } from '../helpers/localStore';
import { smallMarket } from '../helpers/fixtures';
import { jsonl, readRecords as read } from '../helpers/jsonlFiles';
import { orderFeed, withoutOrderFields } from '../helpers/orderFeed';

const m = smallMarket(60, '2026-02-01', '2026-07-31', 5);
const orderSellers = m.market.sellers.filter((_, i) => i % 3 === 0).map((s) => s.sellerId);
const rows = withoutOrderFields(m.rows, new Set(orderSellers));
const feed = orderFeed(orderSellers, { start: '2026-03-01', end: '2026-06-30' }, 11, 2);
const dir = mkdtempSync(join(tmpdir(), 'grader-orders-'));
const byKey = (records: Record<string, unknown>[]) =>
  new Map(records.filter((r) => r.kind !== 'quarantine').map((r) => [`${String(r.sellerId)}|${String(r.kind)}`, { ...r, runId: null }]));
let env: Awaited<ReturnType<typeof localStore>>;
type Exit = { code?: number; stdout: string; stderr: string };
const grader = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...args], { env: process.env }).catch((e: Exit) => e) as Promise<Exit>;
const token = (json: string) => Buffer.from(json).toString('base64url');
/** Every line of a jsonl answer as the object it must be. */
const objects = (jsonlText: string) =>
  jsonlText.split('\n').map((l) => {
    const value: unknown = JSON.parse(l);
    expect(value !== null && typeof value === 'object' && !Array.isArray(value), l).toBe(true);
    return value as { orderId: string };
  });

/**
 * SPEC §3.4 read literally, apart from the product's code: the standing outcome of each order,
 * its appeal decision, and the per-seller totals over a window.
 */
function expectedTotals(
  orders: Record<string, unknown>[],
  exclusions: Record<string, unknown>[],
  sellers: Set<string>,
  window: { start: string; end: string },
) {
  const star = (v: unknown) => v === undefined || v === null || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5);
  const flags = ['unshippedBySeller', 'arbitrated', 'sellerResponsible', 'disputeTimeout', 'notReceivedDisputeClosed'];
  const valid = orders.filter(
    (o) =>
      /^[A-Za-z0-9_-]{1,64}$/.test(String(o.orderId)) &&
      sellers.has(String(o.sellerId)) &&
      String(o.closedOn) <= '2026-12-31' &&
      /(Z|[+-]\d\d:\d\d)$/.test(String(o.updatedAt)) &&
      ['overallRating', 'dsrDescription', 'dsrCommunication', 'dsrShipping'].every((f) => star(o[f])) &&
      flags.every((f) => typeof o[f] === 'boolean'),
  );
  const content = (o: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(o)
        .filter((k) => k !== 'updatedAt' && o[k] !== null && o[k] !== undefined)
        .sort()
        .map((k) => [k, o[k]]),
    );
  const versions = new Map<string, Map<number, Map<string, Record<string, unknown>>>>();
  for (const o of valid) {
    const byTime = versions.get(String(o.orderId)) ?? versions.set(String(o.orderId), new Map()).get(String(o.orderId))!;
    const at = Date.parse(String(o.updatedAt));
    const contents = byTime.get(at) ?? byTime.set(at, new Map()).get(at)!;
    contents.set(content(o), o);
  }
  const decision = new Map<string, { on: string; index: number; action: string }>();
  exclusions.forEach((d, index) => {
    if (d.action !== 'exclude' && d.action !== 'reinstate') return;
    const was = decision.get(String(d.orderId));
    if (!was || String(d.on) >= was.on) decision.set(String(d.orderId), { on: String(d.on), index, action: String(d.action) });
  });
  const totals = new Map<string, { closed: number; bad: number; arb: number; ratings: number; positive: number }>();
  for (const [orderId, byTime] of versions) {
    const standing = [...byTime.entries()].filter(([, c]) => c.size === 1).sort((a, b) => b[0] - a[0])[0];
    if (!standing) continue;
    const o = [...standing[1].values()][0]!;
    if (String(o.closedOn) < window.start || String(o.closedOn) > window.end) continue;
    const t = totals.get(String(o.sellerId)) ?? totals.set(String(o.sellerId), { closed: 0, bad: 0, arb: 0, ratings: 0, positive: 0 }).get(String(o.sellerId))!;
    t.closed++;
    if (decision.get(orderId)?.action === 'exclude') continue;
    const counted = !o.notReceivedDisputeClosed;
    const low = (f: string, max: number) => counted && typeof o[f] === 'number' && (o[f] as number) <= max;
    const bad =
      low('overallRating', 3) ||
      low('dsrDescription', 3) ||
      low('dsrCommunication', 3) ||
      (counted && o.dsrShipping === 1) ||
      o.unshippedBySeller ||
      o.arbitrated ||
      o.disputeTimeout;
    if (bad) t.bad++;
    if (o.arbitrated && o.sellerResponsible) t.arb++;
    if (counted && typeof o.overallRating === 'number') {
      t.ratings++;
      if (o.overallRating >= 4) t.positive++;
    }
  }
  return totals;
}

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(m.market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
  writeFileSync(join(dir, 'metrics.jsonl'), jsonl(rows));
  writeFileSync(join(dir, 'orders.jsonl'), jsonl(feed.orders));
  writeFileSync(join(dir, 'exclusions.jsonl'), jsonl(feed.exclusions));
  expect(await importCommand({ data: dir })).toMatch(/order outcomes/);
});

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('order outcomes through every path (SPEC §3.4)', () => {
  it('grader score follows SPEC §3.4 exactly: the service level is computed from the standing, non-excluded outcomes', async () => {
    const out = join(dir, 'score-07.jsonl');
    await score({ job: 'monthly', period: '2026-07', data: dir, out });
    const window = monthlyWindows('2026-07', 90).service;
    const expected = expectedTotals(feed.orders, feed.exclusions, new Set(m.market.sellers.map((s) => s.sellerId)), window);
    const levels = read(out).filter((r) => r.kind === 'serviceLevel' && orderSellers.includes(String(r.sellerId)));
    expect(levels).toHaveLength(orderSellers.length);
    for (const r of levels) {
      const t = expected.get(String(r.sellerId)) ?? { closed: 0, bad: 0, arb: 0, ratings: 0, positive: 0 };
      expect(r.closedOrders).toBe(t.closed);
      if (t.closed > 0) {
        expect(r.badExperienceRate).toBe(t.bad / t.closed);
        expect(r.sellerResponsibleArbitrationRate).toBe(t.arb / t.closed);
      }
      expect(r.positiveRatingRate).toBe(t.ratings > 0 ? t.positive / t.ratings : null);
    }
    const quarantine = read(out).filter((r) => r.kind === 'quarantine');
    const sources = new Set(quarantine.map((q) => q.source));
    expect(sources).toEqual(new Set(['orders', 'exclusions']));
    expect(quarantine.filter((q) => String(q.reason).includes('same updatedAt')).length).toBeGreaterThan(0);
    for (const q of quarantine) expect((q.key as Record<string, unknown>).orderId).toBeDefined();
  });

  it.each([
    ['monthly', { period: '2026-07' }, ['operationTier', 'serviceLevel']],
    ['quarterly', { quarter: '2026-Q2' }, ['merchantAssessment']],
  ] as const)('gives the same %s records from grader score and from import + run + export', async (job, flags, kinds) => {
    await runCommand(job, { ...flags, reason: 'orders equivalence', 'as-of': '2026-07-20' });
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

  it('importing the same feed again, shuffled, changes no order and no grade', async () => {
    const shuffled = [...feed.orders].reverse();
    const again = join(dir, 'again');
    mkdtempSync(again);
    writeFileSync(join(dir, 'orders.jsonl'), jsonl(shuffled));
    expect(await importCommand({ data: dir })).toMatch(/0 corrected, 0 moved/);
    writeFileSync(join(dir, 'orders.jsonl'), jsonl(feed.orders));
    expect(await runCommand('monthly', { period: '2026-07', reason: 'after a repeated feed', 'as-of': '2026-07-20' })).toMatch(/ 0 written/);
  });

  it('lists exactly the orders behind a seller’s bad-experience rate, and shows the effect of an exclusion and its reinstatement', async () => {
    const window = monthlyWindows('2026-07', 90).service;
    const level = async () => {
      const out = join(dir, 'sl.jsonl');
      await exportCommand({ kind: 'serviceLevel', period: '2026-07', out });
      return new Map(read(out).map((r) => [String(r.sellerId), r]));
    };
    const records = await level();
    const seller = orderSellers.find((s) => ((records.get(s)?.badExperienceRate as number) ?? 0) > 0)!;
    const record = records.get(seller)!;
    const listed = (await ordersCommand({ seller, from: window.start, to: window.end, 'bad-only': true, format: 'jsonl', all: true }))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { orderId: string; badExperience: boolean; excluded: boolean; reasons: string[]; closedOn: string });
    const counted = listed.filter((o) => o.badExperience);
    expect(counted.length).toBe(Math.round((record.badExperienceRate as number) * (record.closedOrders as number)));
    expect(listed.every((o) => o.reasons.length > 0)).toBe(true);
    const dates = listed.map((o) => o.closedOn);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(await showCommand({ seller, date: '2026-07-20' })).toMatch(new RegExp(`${counted.length} bad-experience orders behind it`));

    const target = counted[0]!.orderId;
    expect(await orderCommand('exclude', { order: target, reason: 'carrier lost the parcel', by: 'ops-test', 'as-of': '2026-07-20' })).toMatch(/excluded/);
    await runCommand('monthly', { period: '2026-07', reason: 'appeal upheld', 'as-of': '2026-07-20' });
    const after = (await level()).get(seller)!;
    expect(after.closedOrders).toBe(record.closedOrders);
    expect(Math.round((after.badExperienceRate as number) * (after.closedOrders as number))).toBe(counted.length - 1);

    await orderCommand('reinstate', { order: target, reason: 'appeal reversed', by: 'ops-test', 'as-of': '2026-07-20' });
    await runCommand('monthly', { period: '2026-07', reason: 'appeal reversed', 'as-of': '2026-07-20' });
    expect((await level()).get(seller)).toEqual({ ...record, runId: (await level()).get(seller)!.runId });
  });

  it('refuses a bad appeal or drill-down, naming the field, and keeps a decision for an order not received yet', async () => {
    await expect(orderCommand('exclude', { order: 'bad id!', reason: 'x', by: 'ops' })).rejects.toThrow(/orderId/);
    await expect(orderCommand('exclude', { order: 'o-1', reason: 'x', by: 'ops', on: '2099-01-01' })).rejects.toThrow(/^on: /);
    await expect(ordersCommand({ seller: orderSellers[0], from: '2026-07-01', to: '2026-06-01' })).rejects.toThrow(/to: /);
    expect(await orderCommand('exclude', { order: 'o-later', reason: 'buyer fraud', by: 'ops' })).toMatch(/not received yet/);
  });
});

describe('the drill-down’s pages and data formats', () => {
  const window = { from: '2026-03-01', to: '2026-06-30' };

  it('writes only JSON objects to stdout in jsonl, and the continuation, which continues the listing, to stderr', async () => {
    const seller = orderSellers[1]!;
    const all = objects(await ordersCommand({ seller, ...window, format: 'jsonl', all: true })).map((o) => o.orderId);
    expect(all.length).toBeGreaterThan(100);
    const notes: string[] = [];
    const first = objects(await ordersCommand({ seller, ...window, format: 'jsonl', limit: '5' }, (n) => notes.push(n)));
    expect(first).toHaveLength(5);
    const after = /--after (\S+)/.exec(notes.join('\n'))?.[1];
    expect(after).toBeDefined();
    const second = objects(await ordersCommand({ seller, ...window, format: 'jsonl', limit: '5', after }));
    expect([...first, ...second].map((o) => o.orderId)).toEqual(all.slice(0, 10));
  });

  it('writes every order of the window to csv, not one page, with a formula an operator typed neutralised', async () => {
    const seller = orderSellers[2]!;
    const all = objects(await ordersCommand({ seller, ...window, format: 'jsonl', all: true })).map((o) => o.orderId);
    const target = all[0]!;
    const reason = '=HYPERLINK("http://example.com/x","appeal")';
    await orderCommand('exclude', { order: target, reason, by: '@ops', 'as-of': '2026-07-20' });
    const csv = await ordersCommand({ seller, ...window, format: 'csv' });
    expect(csv).toContain(`"'=HYPERLINK(""http://example.com/x"",""appeal"")"`);
    const rows = csvRecords(csv);
    expect(rows.map((r) => r.orderId)).toEqual(all);
    const excluded = rows.find((r) => r.orderId === target)!;
    expect([excluded['exclusion.reason'], excluded['exclusion.by'], excluded.excluded]).toEqual([`'${reason}`, "'@ops", 'true']);
  });

  it('refuses a page token it did not give, naming after, in the operator action and the CLI', async () => {
    const othersPage = await handleOperatorRequest({ action: 'orders', sellerId: orderSellers[1], ...window, limit: 5 }, env.deps);
    const othersToken = String(isAnswerTo(othersPage, 'orders') && othersPage.next);
    expect(othersToken).toMatch(/^[\w-]+$/);
    const bad = [token('null'), token('1'), token('[]'), token('"x"'), token('{"a":1}'), token('{'), 'not a token!', ''];
    for (const after of [...bad, othersToken]) {
      const response = await handleOperatorRequest({ action: 'orders', sellerId: orderSellers[0], ...window, after }, env.deps);
      expect(response, after).toMatchObject({ ok: false, field: 'after' });
      await expect(ordersCommand({ seller: orderSellers[0], ...window, after }), after).rejects.toThrow(/^after: .*page token/);
    }
  });

  it('exits 2 with one line naming after for a token that decodes to null, and keeps stdout to data (the real CLI)', async () => {
    const seller = orderSellers[1]!;
    const refused = await grader(['orders', '--seller', seller, '--from', window.from, '--to', window.to, '--after', token('null')]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^grader: after: [^\n]*page token[^\n]*\n$/);

    const page = await grader(['orders', '--seller', seller, '--from', window.from, '--to', window.to, '--format', 'jsonl', '--limit', '3']);
    expect([page.code ?? 0, page.stderr]).toEqual([0, expect.stringMatching(/^more: --after \S+ \(or --all\)\n$/)]);
    expect(objects(page.stdout.replace(/\n$/, ''))).toHaveLength(3);

    const none = await grader(['runs', '--state', 'failed', '--format', 'jsonl']);
    expect([none.code ?? 0, none.stdout, none.stderr]).toEqual([0, '', '']);

    const out = join(dir, 'levels.csv');
    const exported = await grader(['export', '--kind', 'serviceLevel', '--period', '2026-07', '--format', 'csv', '--out', out]);
    expect(exported).toMatchObject({ stdout: '', stderr: expect.stringMatching(/^exported \d+ serviceLevel records/) });
    expect(csvRecords(readFileSync(out, 'utf8'))).toHaveLength(Number(/^exported (\d+)/.exec(exported.stderr)![1]));
  });
});
