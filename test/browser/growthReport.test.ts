/// <reference lib="dom" />
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingsCommand } from '../../bin/cli/listings';
import { report } from '../../bin/cli/report';
import { score } from '../../bin/cli/score';
import { addDays } from '../../lib/calendar';
import { MOVED_LISTINGS, SELLER_LISTINGS } from '../../lib/growthReport';
import type { ListingIncentiveRecord, ListingStageRecord } from '../../lib/listingRecords';
import { DEFAULT_POLICY } from '../../lib/policy';
import { growthMarket } from '../helpers/growthData';
import { jsonl, readRecords } from '../helpers/jsonlFiles';

// The product growth centre in the report, in Debian's chromium: records of six chained days of
// `grader score --job growth` on a generated data folder, each day reading the ones before it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'grader-growth-report-'));
const DAYS = Array.from({ length: 6 }, (_, i) => addDays('2026-07-01', i));
const LAST = DAYS.at(-1)!;
const records = join(dir, 'records.jsonl');
const firstDay = join(dir, 'first.jsonl');
let browser: Browser;
let stages: ListingStageRecord[] = [];
let incentives: ListingIncentiveRecord[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium), as .ci/run does`);
  const g = growthMarket(7, { from: '2026-05-01', to: '2026-07-08' });
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(g.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(g.sellers));
  writeFileSync(join(dir, 'listings.jsonl'), jsonl(g.listings));
  writeFileSync(join(dir, 'listingMetrics.jsonl'), jsonl(g.rows));
  writeFileSync(join(dir, 'grades.jsonl'), '');
  // short incentives, so that some expire within the six days and some are in force at the end
  const policy = structuredClone(DEFAULT_POLICY);
  policy.growth.incentiveDays = { newPotential: 3, hot: 5, superHot: 5 };
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
  writeFileSync(records, '');
  for (const date of DAYS) {
    const out = join(dir, `growth-${date}.jsonl`);
    const scored = await score({ job: 'growth', period: date, data: dir, policy: join(dir, 'policy.json'), out });
    expect(scored.quarantined).toBe(0);
    appendFileSync(join(dir, 'grades.jsonl'), readFileSync(out));
    appendFileSync(records, readFileSync(out));
  }
  writeFileSync(firstDay, readFileSync(join(dir, `growth-${DAYS[0]}.jsonl`)));
  const all = readRecords(records);
  stages = all.filter((r) => r.kind === 'listingStage') as unknown as ListingStageRecord[];
  incentives = all.filter((r) => r.kind === 'listingIncentive') as unknown as ListingIncentiveRecord[];
  await report({ policy: DEFAULT_POLICY, records, out: join(dir, 'growth.html') });
  await report({ policy: DEFAULT_POLICY, records: firstDay, out: join(dir, 'first.html') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => (window as unknown as { REPORT_DONE?: boolean }).REPORT_DONE === true);
  return { page, errors };
}

/** A table's rows as text, row header first. */
const rowsOf = (page: Page, name: string) =>
  page.$$eval(`table[data-table="${name}"] tbody tr`, (rows) => (rows as HTMLTableRowElement[]).map((r) => Array.from(r.cells).map((c) => c.textContent!)));
const byHeader = (rows: string[][]) => Object.fromEntries(rows.map(([h, ...rest]) => [h!, rest]));

/** The latest stage record of each listing, and the latest earlier one's stage: counted here from the records, one by one. */
function latestOf(of: ListingStageRecord[]) {
  const latest = new Map<string, ListingStageRecord>();
  for (const r of of) if (!latest.has(r.listingId) || r.asOf > latest.get(r.listingId)!.asOf) latest.set(r.listingId, r);
  const earlierStage = (r: ListingStageRecord) =>
    of.filter((e) => e.listingId === r.listingId && e.asOf < r.asOf).sort((a, b) => (a.asOf < b.asOf ? 1 : -1))[0]?.stage ?? 'none';
  return { latest: [...latest.values()], earlierStage };
}
const STAGES = ['superHot', 'hot', 'newPotential', 'standard', 'dormant', 'delisted'];

describe('the product growth section of the marketplace page', () => {
  it('counts the listings by stage and by stage per category as the records say, with no console error', async () => {
    const { page, errors } = await open(join(dir, 'growth.html'));
    const { latest } = latestOf(stages);
    expect(await page.getAttribute('[data-growth-date]', 'data-growth-date')).toBe(LAST);
    expect(Number(await page.getAttribute('[data-listings]', 'data-listings'))).toBe(latest.length);
    const count = (of: ListingStageRecord[], stage: string) => String(of.filter((r) => r.stage === stage).length);
    expect(byHeader(await rowsOf(page, 'growthStages'))).toEqual(Object.fromEntries(STAGES.map((s) => [s, [count(latest, s)]])));
    const categories = [...new Set(latest.map((r) => r.categoryId))];
    const perCategory = byHeader(await rowsOf(page, 'growthCategories'));
    expect(Object.keys(perCategory).sort()).toEqual(categories.sort());
    for (const c of categories) {
      const own = latest.filter((r) => r.categoryId === c);
      expect(perCategory[c]).toEqual([String(own.length), ...STAGES.map((s) => count(own, s))]);
    }
    // every stage is there, and more than one listing moved each way over the days
    for (const s of STAGES) expect(Number(count(latest, s)), s).toBeGreaterThan(0);
    const charts = await page.$$eval('.chart[data-chart^="growth"]', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.chart, e.querySelectorAll('svg path, svg rect, svg text').length] as const),
    );
    expect(charts.map(([n]) => n)).toEqual(['growthStages', 'growthCategories', 'growthMoves', 'growthIncentives']);
    for (const [name, marks] of charts) expect(marks, name).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('counts the moves of the latest growth date from the earlier version in the records, names the first listings of each and the command that lists them all', async () => {
    const { page, errors } = await open(join(dir, 'growth.html'));
    const { latest, earlierStage } = latestOf(stages);
    const moved = latest.filter((r) => r.asOf === LAST && r.since === LAST);
    expect(moved.length).toBeGreaterThan(3);
    const cellOf = (r: ListingStageRecord) => `${earlierStage(r)}>${r.stage}`;
    const matrix = byHeader(await rowsOf(page, 'growthMoves'));
    for (const [from, counts] of Object.entries(matrix))
      expect(counts, from).toEqual(STAGES.map((to) => String(moved.filter((r) => cellOf(r) === `${from}>${to}`).length)));
    expect(
      Object.values(matrix)
        .flat()
        .map(Number)
        .reduce((a, b) => a + b, 0),
    ).toBe(moved.length);
    // every listing that moved on the last day is in the records of an earlier day: none "entered"
    expect(moved.every((r) => earlierStage(r) !== 'none')).toBe(true);
    await checkCells(page, moved, cellOf, records, LAST);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('bounds the listings a move names: the records of one day, where every listing entered', async () => {
    const { page, errors } = await open(join(dir, 'first.html'));
    const day = readRecords(firstDay).filter((r) => r.kind === 'listingStage') as unknown as ListingStageRecord[];
    const cellOf = (r: ListingStageRecord) => `none>${r.stage}`;
    const biggest = await checkCells(page, day, cellOf, firstDay, DAYS[0]!);
    expect(biggest).toBeGreaterThan(MOVED_LISTINGS);
    expect(await page.textContent('#h-growthMoves')).toContain(`0 up, 0 down, ${day.length} entered`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('counts the incentives in force by stage: granted on the date, expiring within seven days, ended on it', async () => {
    const { page, errors } = await open(join(dir, 'growth.html'));
    // the latest version of each incentive: the one that ended it, if any
    const latest = new Map<string, ListingIncentiveRecord>();
    for (const r of incentives) {
      const key = `${r.listingId}|${r.grantedOn}`;
      if (!latest.has(key) || r.endedOn !== null) latest.set(key, r);
    }
    const all = [...latest.values()];
    const inForce = all.filter((r) => r.status === 'active' && r.expiresOn > LAST);
    const rows = byHeader(await rowsOf(page, 'growthIncentives'));
    for (const stage of ['newPotential', 'hot', 'superHot']) {
      const own = (of: ListingIncentiveRecord[]) => of.filter((r) => r.stage === stage);
      expect(rows[stage], stage).toEqual(
        [
          own(inForce).length,
          own(all).filter((r) => r.grantedOn === LAST).length,
          own(inForce).filter((r) => r.expiresOn <= addDays(LAST, 7)).length,
          own(all).filter((r) => r.endedOn === LAST).length,
        ].map(String),
      );
    }
    expect(inForce.length).toBeGreaterThan(0);
    expect(all.some((r) => r.status === 'expired')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Each move cell on the page: its first listings by id and the command whose output is every listing of the cell. Returns the largest cell. */
async function checkCells(page: Page, moved: ListingStageRecord[], cellOf: (r: ListingStageRecord) => string, file: string, date: string): Promise<number> {
  const cells = await page.$$eval('[data-move]', (els) =>
    els.map((e) => ({
      cell: (e as HTMLElement).dataset.move!,
      listed: Array.from(e.querySelectorAll('[data-listing]')).map((a) => (a as HTMLElement).dataset.listing!),
      command: e.querySelector('.cmd')?.textContent ?? null,
    })),
  );
  expect(new Set(cells.map((c) => c.cell))).toEqual(new Set(moved.map(cellOf)));
  let biggest = 0;
  for (const { cell, listed, command } of cells) {
    const ids = moved
      .filter((r) => cellOf(r) === cell)
      .map((r) => r.listingId)
      .sort();
    biggest = Math.max(biggest, ids.length);
    expect(listed).toEqual(ids.slice(0, MOVED_LISTINGS));
    const [from, to] = cell.split('>') as [string, string];
    expect(command).toBe(`grader listings --moved-on ${date} --from ${from} --to ${to} --records ${file} --format csv`);
    const csv = await listingsCommand({ 'moved-on': date, from, to, records: file, format: 'csv' });
    expect(
      csv
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(ids);
  }
  return biggest;
}

describe('a seller’s page from the growth records', () => {
  it('lists its listings with the most to gain, their suggestions and growth scores, the rest counted by stage, and its active incentives', async () => {
    const { latest } = latestOf(stages);
    const sellerOf = new Map<string, number>();
    for (const r of latest) sellerOf.set(r.sellerId, (sellerOf.get(r.sellerId) ?? 0) + 1);
    const [sellerId, total] = [...sellerOf].sort((a, b) => b[1] - a[1])[0]!;
    expect(total).toBeGreaterThan(SELLER_LISTINGS);
    const out = join(dir, `${sellerId}.html`);
    await report({ policy: DEFAULT_POLICY, records, seller: sellerId, out });
    const { page, errors } = await open(out);
    expect(await page.textContent('#seller-title')).toContain(sellerId);
    const own = latest.filter((r) => r.sellerId === sellerId);
    const stagesTable = byHeader(await rowsOf(page, 'sellerStages'));
    const listedRows = await rowsOf(page, 'sellerListings');
    expect(listedRows).toHaveLength(SELLER_LISTINGS);
    const listed = new Set(listedRows.map((r) => r[0]!));
    for (const stage of new Set(own.map((r) => r.stage))) {
      const n = own.filter((r) => r.stage === stage);
      expect(stagesTable[stage], stage).toEqual(
        [n.length, n.filter((r) => listed.has(r.listingId)).length, n.filter((r) => !listed.has(r.listingId)).length].map(String),
      );
    }
    // the most to gain first: the highest next stage, then the highest growth score
    const rank: Record<string, number> = { superHot: 3, hot: 2, newPotential: 1 };
    const expected = [...own]
      .sort(
        (a, b) =>
          (rank[b.next?.stage ?? ''] ?? 0) - (rank[a.next?.stage ?? ''] ?? 0) ||
          (b.growthScore ?? -1) - (a.growthScore ?? -1) ||
          (a.listingId < b.listingId ? -1 : 1),
      )
      .slice(0, SELLER_LISTINGS);
    expect(listedRows.map((r) => r[0])).toEqual(expected.map((r) => r.listingId));
    for (const [i, r] of expected.entries()) {
      const row = listedRows[i]!;
      expect(row.slice(1, 4)).toEqual([r.categoryId, r.stage, r.since]);
      if (r.growthScore === null) expect(row[4]).toBe('n/a');
      else expect(Number(row[4])).toBeCloseTo(r.growthScore, 1);
      expect(row[5]).toBe(r.next?.stage ?? 'none');
    }
    const suggestions = await rowsOf(page, 'sellerSuggestions');
    const wanted = expected.flatMap((r) => (r.next?.suggestions ?? []).map((s) => ({ listingId: r.listingId, ...s })));
    expect(wanted.length).toBeGreaterThan(SELLER_LISTINGS);
    expect(suggestions).toHaveLength(wanted.length);
    for (const [i, s] of wanted.entries()) {
      const [listingId, indicator, actual, benchmark, action] = suggestions[i]!;
      expect([listingId, indicator, action]).toEqual([s.listingId, s.indicator, s.action]);
      expect(Number(actual)).toBeCloseTo(s.actual, 2);
      expect(Number(benchmark)).toBeCloseTo(s.benchmark, 2);
    }
    expect(await page.textContent('#seller .cmd, main .cmd')).toBe(`grader listings --seller ${sellerId} --records ${records} --format csv`);
    const csv = await listingsCommand({ seller: sellerId, records, format: 'csv' });
    expect(
      new Set(
        csv
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]),
      ),
    ).toEqual(new Set(own.map((r) => r.listingId)));
    // its active incentives: the latest version of each, still active on the last date
    const activeIds = new Map<string, ListingIncentiveRecord>();
    for (const r of incentives.filter((r) => r.sellerId === sellerId)) {
      const key = `${r.listingId}|${r.grantedOn}`;
      if (!activeIds.has(key) || r.endedOn !== null) activeIds.set(key, r);
    }
    const active = [...activeIds.values()].filter((r) => r.status === 'active' && r.expiresOn > LAST);
    const shown = await rowsOf(page, 'sellerIncentives');
    expect(shown.map((r) => `${r[0]}|${r[2]}`).sort()).toEqual(active.map((r) => `${r.listingId}|${r.grantedOn}`).sort());
    for (const row of shown) expect(row[4]).toBe(active.find((r) => r.listingId === row[0])!.benefit);
    expect(errors).toEqual([]);
    await page.close();
  });
});
