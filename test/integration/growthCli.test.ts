import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, invokeOperator, runCommand, showCommand } from '../../bin/cli/commands';
import { tallyGrowthOfStore } from '../../functions/reportGrowth';
import { listingsCommand } from '../../bin/cli/listings';
import { report } from '../../bin/cli/report';
import { score } from '../../bin/cli/score';
import { operatorHandler } from '../../functions/operator';
import { addDays, datesOf } from '../../lib/calendar';
import { explainListing, listingsByStage } from '../../lib/explainListing';
import { GrowthTally } from '../../lib/growthReport';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from '../../lib/listingRecords';
import { LISTING_FIELDS } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';
import { growthMarket } from '../helpers/growthMarket';
import { jsonl, readRecords } from '../helpers/jsonlFiles';
import { localStore } from '../helpers/localStore';

// A small growth data folder imported into DynamoDB Local, the growth job run on three chained
// days, then the operator's growth commands read from the tables against `grader export` and the
// `grader score --job growth` records of the same days.
const DAYS = ['2026-06-10', '2026-06-11', '2026-06-12'];
const LAST = DAYS.at(-1)!;
const market = growthMarket({ from: '2026-03-01', to: LAST });
const dir = mkdtempSync(join(tmpdir(), 'grader-growth-cli-'));
const scoredFile = join(dir, 'scored.jsonl');
let env: Awaited<ReturnType<typeof localStore>>;
let stages: ListingStageRecord[] = [];
let incentives: ListingIncentiveRecord[] = [];

const noRun = <T extends { runId: string }>(r: T) => ({ ...r, runId: null });

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(market.sellers));
  writeFileSync(join(dir, 'listings.jsonl'), jsonl(market.listings));
  writeFileSync(join(dir, 'listingMetrics.jsonl'), jsonl(market.rows));
  writeFileSync(join(dir, 'grades.jsonl'), '');
  writeFileSync(scoredFile, '');
  await importCommand({ data: dir });
  for (const date of DAYS) {
    const out = join(dir, `score-${date}.jsonl`);
    await score({ job: 'growth', period: date, data: dir, out });
    appendFileSync(join(dir, 'grades.jsonl'), readFileSync(out));
    appendFileSync(scoredFile, readFileSync(out));
    await runCommand('growth', { date, reason: 'growth cli test', 'as-of': date });
  }
  for (const kind of ['listingStage', 'listingIncentive']) {
    const file = join(dir, `export-${kind}.jsonl`);
    await exportCommand({ kind, out: file });
    const records = readRecords(file) as unknown as ListingRecord[];
    if (kind === 'listingStage') stages = records as ListingStageRecord[];
    else incentives = records as ListingIncentiveRecord[];
  }
}, 240_000);

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

/** The seller with the most listings in stages other than standard, dormant and delisted. */
function busiestSeller(): string {
  const n = new Map<string, number>();
  for (const r of stages) if (r.stage === 'hot' || r.stage === 'superHot' || r.stage === 'newPotential') n.set(r.sellerId, (n.get(r.sellerId) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('grader listings --seller S from the tables', () => {
  it('gives, in jsonl, the current stage records grader export holds and a records file gives, the most to gain first; notes only on stderr', async () => {
    const seller = busiestSeller();
    const notes: string[] = [];
    const fromTables = (await listingsCommand({ seller, format: 'jsonl' }, (n) => notes.push(n))).split('\n').map((l) => JSON.parse(l) as ListingStageRecord);
    const fromFile = (await listingsCommand({ seller, format: 'jsonl', records: scoredFile }, () => {}))
      .split('\n')
      .map((l) => JSON.parse(l) as ListingStageRecord);
    const exported = stages.filter((r) => r.sellerId === seller);
    expect(fromTables.length).toBe(exported.length);
    expect(fromTables.every((r) => r.kind === 'listingStage')).toBe(true);
    expect(new Map(fromTables.map((r) => [r.listingId, r]))).toEqual(new Map(exported.map((r) => [r.listingId, r])));
    expect(fromTables.map(noRun)).toEqual(fromFile.map(noRun));
    expect(notes).toEqual([`${exported.length} listings of seller ${seller}, from the tables`]);
  });

  it('gives the same CSV as the records file, one line per suggestion, and --stage keeps only that stage', async () => {
    const seller = busiestSeller();
    const csv = await listingsCommand({ seller }, () => {});
    expect(csv).toBe(await listingsCommand({ seller, records: scoredFile }, () => {}));
    const suggestions = stages.filter((r) => r.sellerId === seller).reduce((n, r) => n + Math.max(1, r.next?.suggestions.length ?? 0), 0);
    expect(csv.split('\n').length).toBe(1 + suggestions);
    const stage = stages.find((r) => r.sellerId === seller && r.stage !== 'standard')!.stage;
    const only = (await listingsCommand({ seller, stage, format: 'jsonl' }, () => {})).split('\n').map((l) => JSON.parse(l) as ListingStageRecord);
    expect(only.map((r) => r.listingId).sort()).toEqual(
      stages
        .filter((r) => r.sellerId === seller && r.stage === stage)
        .map((r) => r.listingId)
        .sort(),
    );
  });

  it('pages through the listings action: pages of 7 give the listings of one page, in listing id order; an unknown seller names the field', async () => {
    const seller = busiestSeller();
    const paged: ListingStageRecord[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await invokeOperator({}, { action: 'listings', sellerId: seller, limit: 7, after });
      paged.push(...(page.listings as ListingStageRecord[]));
      after = page.next as string | null;
      pages++;
    } while (after);
    const whole = (await invokeOperator({}, { action: 'listings', sellerId: seller })).listings as ListingStageRecord[];
    expect(pages).toBeGreaterThan(1);
    expect(paged).toEqual(whole);
    expect(whole.map((r) => r.listingId)).toEqual(whole.map((r) => r.listingId).sort());
    const handler = operatorHandler(() => env.deps);
    const context = {} as Parameters<typeof handler>[1];
    expect(await handler({ action: 'listings', sellerId: 'nobody' }, context)).toMatchObject({ ok: false, field: 'sellerId' });
    expect(await handler({ action: 'listings', sellerId: seller, stage: 'warm' }, context)).toMatchObject({ ok: false, field: 'stage' });
  });
});

describe('grader show', () => {
  it('--listing L explains its stage with its record, its incentives and its live sums over the window ending the day before', async () => {
    const granted = incentives.find((r) => stages.some((s) => s.listingId === r.listingId && s.stage !== 'delisted'))!;
    const record = stages.find((s) => s.listingId === granted.listingId)!;
    const own = incentives.filter((r) => r.listingId === record.listingId).sort((a, b) => (a.grantedOn < b.grantedOn ? -1 : 1));
    const window = { start: addDays(LAST, -30), end: addDays(LAST, -1) };
    const days = new Set(datesOf(window));
    const values = Object.fromEntries(LISTING_FIELDS.map((f) => [f, 0])) as Record<(typeof LISTING_FIELDS)[number], number>;
    for (const row of market.rows)
      if (row.listingId === record.listingId && days.has(row.date as string)) for (const f of LISTING_FIELDS) values[f] += row[f] as number;
    expect(values.visitors).toBeGreaterThan(0);
    const text = await showCommand({ listing: record.listingId, date: LAST });
    expect(text).toBe(explainListing(record, own, { window, values }, DEFAULT_POLICY).join('\n'));
    expect(text).toContain(`incentive ${granted.stage}`);
  });

  it('--listing with a bad or unknown listing id names the field', async () => {
    const handler = operatorHandler(() => env.deps);
    const context = {} as Parameters<typeof handler>[1];
    expect(await handler({ action: 'explainListing', listingId: 'bad id!' }, context)).toMatchObject({ ok: false, field: 'listingId' });
    expect(await handler({ action: 'explainListing', listingId: 'Lnope' }, context)).toMatchObject({ ok: false, field: 'listingId' });
    expect(await handler({ action: 'explainListing', listingId: 'L0001', date: '2026-02-30' }, context)).toMatchObject({ ok: false, field: 'date' });
  });

  it('--seller S adds its listings by stage', async () => {
    const seller = busiestSeller();
    const text = await showCommand({ seller, date: LAST });
    expect(text).toContain(listingsByStage(stages.filter((r) => r.sellerId === seller)).join('\n'));
  });
});

describe('grader report from the tables', () => {
  it('tallies the growth section from the blocks and growth states as a records file of the same days does, in a few requests per block', async () => {
    const fromFile = new GrowthTally();
    for (const r of readRecords(scoredFile)) if (r.kind === 'listingStage' || r.kind === 'listingIncentive') fromFile.add(r as unknown as ListingRecord);
    const fromTables = new GrowthTally();
    const before = env.store.stats.requests;
    await tallyGrowthOfStore(env.store, LAST, (r) => fromTables.add(r));
    const requests = env.store.stats.requests - before;
    const a = fromTables.section()!;
    const b = fromFile.section()!;
    const { incentiveStatuses, ...rest } = a;
    const { incentiveStatuses: _all, ...expected } = b;
    expect(rest).toEqual(expected);
    expect(a.moves.up + a.moves.down).toBeGreaterThan(0);
    // the tables count the incentives in force on the date and those that ended on it
    const counted: Record<string, number> = {};
    for (const r of incentives) if ((r.status === 'active' && r.expiresOn > LAST) || r.endedOn === LAST) counted[r.status] = (counted[r.status] ?? 0) + 1;
    expect(incentiveStatuses).toEqual(counted);
    const blocks = new Set(market.listings.map((l) => l.categoryId)).size;
    expect(requests).toBeLessThanOrEqual(3 + blocks);
  });

  it("writes the marketplace page's growth section and a seller page's listings from the tables", async () => {
    const out = join(dir, 'market.html');
    await report({ store: env.store, policy: DEFAULT_POLICY, out });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`data-growth-date="${LAST}"`);
    expect(html).toContain(`data-listings="${stages.length}"`);
    const seller = busiestSeller();
    const page = join(dir, `${seller}.html`);
    await report({ store: env.store, policy: DEFAULT_POLICY, seller, out: page });
    const sellerHtml = readFileSync(page, 'utf8');
    expect(sellerHtml).toContain('Listings by stage (product growth');
    const top = stages.filter((r) => r.sellerId === seller && r.next?.suggestions.length)[0]!;
    expect(sellerHtml).toContain(top.listingId);
    expect(sellerHtml).toContain('data-table="sellerSuggestions"');
  });
});
