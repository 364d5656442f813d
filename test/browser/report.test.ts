/// <reference lib="dom" />
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationCommand } from '../../bin/cli/migration';
import { report } from '../../bin/cli/report';
import { score } from '../../bin/cli/score';
import { DailyScorePacks } from '../../functions/data/dailyScorePacks';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { RunsRepository } from '../../functions/data/runsRepository';
import { importData } from '../../functions/jobs/importData';
import { syntheticCompliance } from '../../functions/local/syntheticCompliance';
import { simulate } from '../../functions/local/simulate';
import { windowLength } from '../../lib/calendar';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { DailyScoreRecord, GradeRecord, HealthCheckRecord, OperationTierRecord, ServiceLevelRecord, StatusRecord } from '../../lib/records';
import { ABILITY_ORDER, CELL_SELLERS, INLINE_SELLERS } from '../../lib/report';
import { targetSentence } from '../../lib/targetSentences';
import { smallMarket } from '../helpers/fixtures';
import { scoredRecords } from '../helpers/gradeRecords';
import { jsonl, readRecords } from '../helpers/jsonlFiles';
import { localStore } from '../helpers/localStore';

// The report in a real browser: Debian's chromium, driven by playwright-core (.ci/run installs it).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const m = smallMarket(90, '2026-03-01', '2026-08-31', 17);
const c = syntheticCompliance(m.market.categories, m.market.sellers, 9);
const dir = mkdtempSync(join(tmpdir(), 'grader-report-'));
let env: Awaited<ReturnType<typeof localStore>>;
let browser: Browser;

/** Opens a report file and collects the console errors the page logs. */
async function open(file: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => (window as unknown as { REPORT_DONE?: boolean }).REPORT_DONE === true);
  return { page, errors };
}

/** The numbers of a chart's table, by row header. */
const tableOf = (page: Page, name: string) =>
  page.$$eval(`table[data-table="${name}"] tbody tr`, (rows) =>
    Object.fromEntries(
      (rows as HTMLTableRowElement[]).map((r) => [
        r.cells[0]!.textContent,
        Array.from(r.cells)
          .slice(1)
          .map((c) => c.textContent),
      ]),
    ),
  );

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium), as .ci/run does`);
  env = await localStore();
  await importData(
    env.store,
    { categories: c.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows, exposure: c.exposure, registrations: c.registrations },
    { policy: DEFAULT_POLICY, importId: 'report', now: '2026-09-01T00:00:00Z' },
  );
  await simulate({ from: '2026-06-28', to: '2026-08-03' }, env.deps, () => {}, { fanOut: false });
  await report({ store: env.store, policy: DEFAULT_POLICY, out: join(dir, 'report.html') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('the grading report in a browser', () => {
  it('loads offline with no console error and draws every chart', async () => {
    const { page, errors } = await open(join(dir, 'report.html'));
    expect(errors).toEqual([]);
    const charts = await page.$$eval('.chart', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.chart, e.querySelectorAll('svg path, svg rect, svg text').length] as const),
    );
    expect(charts.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'tiersByMonth',
        'migration',
        'serviceByMonth',
        'merchantByQuarter',
        'grants',
        'labels',
        'findings',
        'categoryShares',
        'thresholds',
      ]),
    );
    for (const [name, marks] of charts) expect(marks, name).toBeGreaterThan(10);
    // every chart has its table
    expect(await page.$$eval('.panel table', (t) => t.length)).toBe(charts.length);
    await page.close();
  });

  it('shows the numbers of the records it came from', async () => {
    const { page } = await open(join(dir, 'report.html'));
    const categories = (await new ReferenceRepository(env.store).categories()).map((x) => x.categoryId);
    const tiers = (await new GradesRepository(env.store).listPeriodIn('operationTier', '2026-08', categories)) as OperationTierRecord[];
    const rows = await tableOf(page, 'tiersByMonth');
    const counts = ['top', 'highPotential', 'mid', 'basic'].map((t) => String(tiers.filter((r) => r.tier === t).length));
    expect(rows['2026-08']).toEqual(counts);
    await page.close();
  });

  it('finds a seller and opens their view: standing, gap, abilities against the pool, rates, criteria, findings', async () => {
    const { page, errors } = await open(join(dir, 'report.html'));
    const sellerId = m.market.sellers[3]!.sellerId;
    await page.fill('#q', sellerId);
    await page.click('#search button[type="submit"]');
    await page.waitForSelector('[data-chart="sellerComposite"] svg');
    expect(await page.textContent('#seller-title')).toContain(sellerId);
    const status = (await new GradesRepository(env.store).get(sellerId, 'status')) as StatusRecord;
    expect(await page.textContent('[data-fact="operation tier"]')).toBe(status.operationTier?.tier ?? 'none');
    expect(await page.textContent('[data-fact="merchant tier"]')).toBe(status.merchantTier.effective);
    expect(await page.textContent('[data-fact="storefront label"]')).toBe(status.frontBadge ?? 'none');
    // the targets of the projection (SPEC §6), beside the gap, as the records hold them
    const shownDate = Object.keys(await factsOf(page))
      .find((k) => k.startsWith('composite ('))
      ?.slice(11, 21);
    expect(shownDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const daily = (await new DailyScorePacks(env.store).on([(await new ReferenceRepository(env.store).seller(sellerId))!], shownDate!)) as DailyScoreRecord[];
    const next = daily[0]?.projectedTier.nextTier;
    if (next) {
      const sentences = next.targets.map((t) => targetSentence(t, windowLength(daily[0]!.window)));
      expect(await page.textContent('[data-fact="targets (any one alone)"]')).toBe(
        sentences.length > 0 ? sentences.join('; ') : 'none reachable by one indicator alone',
      );
    }
    const service = await new GradesRepository(env.store).get(sellerId, 'serviceLevel#2026-08');
    if (service?.kind === 'serviceLevel') {
      const rates = await tableOf(page, 'serviceRates');
      expect(rates.badExperienceRate![0]).toBe(service.badExperienceRate === null ? 'n/a' : service.badExperienceRate.toFixed(3));
    }
    expect(await page.$$eval('[data-chart="sellerAbilities"] svg path', (p) => p.length)).toBeGreaterThan(5);
    expect(await page.$('table[data-table="merchantCriteria"]')).not.toBeNull();
    expect(await page.$('table[data-table="sellerFindings"]')).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sets text columns flush left beside their row (the benefits of the next tier) and numbers flush right', async () => {
    const { page } = await open(join(dir, 'report.html'));
    await page.fill('#q', m.market.sellers[3]!.sellerId);
    await page.click('#search button[type="submit"]');
    await page.waitForSelector('table[data-table="benefits"]');
    const align = (selector: string) => page.$$eval(selector, (cells) => cells.map((c) => getComputedStyle(c).textAlign));
    const benefits = await align('table[data-table="benefits"] th, table[data-table="benefits"] td');
    expect(benefits.length).toBeGreaterThan(2);
    for (const a of benefits) expect(['left', 'start']).toContain(a);
    expect(await align('table[data-table="tiersByMonth"] tbody td')).toContain('right');
    await page.close();
  });

  it('fits a phone screen without scrolling sideways', async () => {
    const { page, errors } = await open(join(dir, 'report.html'), { width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('compares two policies: who moves where, per category, the sellers behind each cell', async () => {
    writeFileSync(join(dir, 'categories.jsonl'), jsonl(m.market.categories));
    writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
    writeFileSync(join(dir, 'metrics.jsonl'), jsonl(m.rows));
    const draft = structuredClone(DEFAULT_POLICY);
    draft.version = 'draft';
    draft.tiers.quantiles = { top: 0.8, highPotential: 0.5, mid: 0.2 };
    writeFileSync(join(dir, 'draft.json'), JSON.stringify(draft));
    await score({ job: 'monthly', period: '2026-08', data: dir, out: join(dir, 'current.jsonl') });
    await score({ job: 'monthly', period: '2026-08', data: dir, policy: join(dir, 'draft.json'), out: join(dir, 'draft.jsonl') });
    await report({ policy: DEFAULT_POLICY, compare: [join(dir, 'current.jsonl'), join(dir, 'draft.jsonl')], out: join(dir, 'whatif.html') });
    const { page, errors } = await open(join(dir, 'whatif.html'));
    expect(errors).toEqual([]);
    const matrix = await tableOf(page, 'whatIf');
    const total = Object.values(matrix)
      .flat()
      .reduce((a: number, n) => a + Number(n), 0);
    expect(total).toBe(m.market.sellers.length);
    const reachable = (file: string) => {
      const tiers = readRecords(file).filter((r) => r.kind === 'operationTier' && r.nextTier) as unknown as OperationTierRecord[];
      return `${tiers.filter((r) => r.nextTier!.targets.length > 0).length} of ${tiers.length}`;
    };
    expect(await page.textContent('[data-fact="targets"]')).toContain(
      `current ${reachable(join(dir, 'current.jsonl'))}, draft ${reachable(join(dir, 'draft.jsonl'))}`,
    );
    expect(await page.$$eval('.chart[data-chart^="whatIf-"]', (e) => e.length)).toBeGreaterThan(1);
    await page.close();
  });
});

// Above the inline bound: 600 sellers scored offline, the report from their records file.
const big = smallMarket(600, '2026-03-01', '2026-08-31', 23);
const bigFile = join(dir, 'big.jsonl');
let bigRecords: GradeRecord[] = [];
const kindOf = <K extends GradeRecord['kind']>(records: GradeRecord[], kind: K) =>
  records.filter((r): r is Extract<GradeRecord, { kind: K }> => r.kind === kind);
/** A seller view's facts, by name. */
const factsOf = (page: Page) => page.$$eval('[data-fact]', (dds) => Object.fromEntries(dds.map((d) => [(d as HTMLElement).dataset.fact!, d.textContent])));
/** What the page must say of a seller, from its records. */
function expectView(
  view: { facts: Record<string, string | null>; tiers: Record<string, (string | null)[]>; abilities: Record<string, (string | null)[]> },
  own: GradeRecord[],
  poolDaily: DailyScoreRecord[],
) {
  const status = kindOf(own, 'status')[0]!;
  expect(view.facts['operation tier']).toBe(status.operationTier?.tier ?? 'none');
  expect(view.facts['service level']).toBe(status.serviceLevel?.level ?? 'none');
  expect(view.facts['merchant tier']).toBe(status.merchantTier.effective);
  const tiers = kindOf(own, 'operationTier').sort((a, b) => (a.period < b.period ? -1 : 1));
  expect(Object.keys(view.tiers)).toEqual(tiers.map((t) => t.period));
  for (const t of tiers) {
    expect(view.tiers[t.period]![1]).toBe(t.tier);
    if (t.composite === null) expect(view.tiers[t.period]![0]).toBe('n/a');
    else expect(Number(view.tiers[t.period]![0])).toBeCloseTo(t.composite, 1);
  }
  const d = kindOf(own, 'dailyScore')[0]!;
  const members = poolDaily.filter((r) => r.poolId === d.poolId && r.abilities);
  expect(members.length).toBeGreaterThan(1);
  for (const a of ABILITY_ORDER) {
    const mean = members.reduce((s, r) => s + r.abilities![a], 0) / members.length;
    expect(Number(view.abilities[a]![0])).toBeCloseTo(d.abilities![a], 1);
    expect(Number(view.abilities[a]![1])).toBeCloseTo(mean, 1);
  }
}
const viewOf = async (page: Page) => ({
  facts: await factsOf(page),
  tiers: await tableOf(page, 'sellerComposite'),
  abilities: await tableOf(page, 'sellerAbilities'),
});

describe('the marketplace page above the inline bound', () => {
  beforeAll(async () => {
    bigRecords = await scoredRecords(big, { months: ['2026-06', '2026-07', '2026-08'], quarter: '2026-Q2', day: '2026-08-31' });
    writeFileSync(bigFile, jsonl(bigRecords));
    await report({ policy: DEFAULT_POLICY, records: bigFile, out: join(dir, 'big.html') });
  }, 300_000);

  it('holds the counts of the records and, of each migration cell, its first sellers by id and the command that lists them all', async () => {
    expect(big.market.sellers.length).toBeGreaterThan(INLINE_SELLERS);
    expect(statSync(join(dir, 'big.html')).size).toBeLessThan(2 * 1024 * 1024);
    const { page, errors } = await open(join(dir, 'big.html'));
    const tiers = kindOf(bigRecords, 'operationTier');
    const byMonth = await tableOf(page, 'tiersByMonth');
    for (const month of ['2026-06', '2026-07', '2026-08'])
      expect(byMonth[month]).toEqual(
        ['top', 'highPotential', 'mid', 'basic'].map((t) => String(tiers.filter((r) => r.period === month && r.tier === t).length)),
      );
    const july = new Map(tiers.filter((r) => r.period === '2026-07').map((r) => [r.sellerId, r.tier]));
    const cellOf = (r: OperationTierRecord) => `${july.get(r.sellerId) ?? 'none'}>${r.tier}`;
    const august = tiers.filter((r) => r.period === '2026-08');
    const matrix = await tableOf(page, 'migration');
    for (const [from, counts] of Object.entries(matrix))
      expect(counts).toEqual(['top', 'highPotential', 'mid', 'basic'].map((to) => String(august.filter((r) => cellOf(r) === `${from}>${to}`).length)));
    const cells = await page.$$eval('[data-cell]', (els) =>
      els.map((e) => ({
        cell: (e as HTMLElement).dataset.cell!,
        listed: Array.from(e.querySelectorAll('.who a')).map((a) => a.textContent!),
        command: e.querySelector('.cmd')?.textContent ?? null,
      })),
    );
    const held = new Set<string>();
    for (const { cell, listed, command } of cells) {
      const ids = august
        .filter((r) => cellOf(r) === cell)
        .map((r) => r.sellerId)
        .sort();
      expect(listed).toEqual(ids.slice(0, CELL_SELLERS));
      for (const id of listed) held.add(id);
      if (ids.length <= CELL_SELLERS) continue;
      // the command the cell names lists every one of its sellers
      expect(command).toBe(
        `grader migration --since 2026-07 --period 2026-08 --from ${cell.split('>')[0]} --to ${cell.split('>')[1]} --records ${bigFile} --format csv`,
      );
      const csv = await migrationCommand({
        since: '2026-07',
        period: '2026-08',
        from: cell.split('>')[0],
        to: cell.split('>')[1],
        records: bigFile,
        format: 'csv',
      });
      expect(
        csv
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]),
      ).toEqual(ids);
    }
    const views = await page.evaluate(() =>
      (JSON.parse(document.getElementById('seller-data')!.textContent!) as { sellerId: string }[]).map((v) => v.sellerId),
    );
    expect(new Set(views)).toEqual(held);
    expect(views.length).toBeLessThanOrEqual(INLINE_SELLERS);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the view of a seller a cell lists, as its records say', async () => {
    const { page, errors } = await open(join(dir, 'big.html'));
    const sellerId = (await page.$eval('[data-cell] .who a', (a) => a.textContent))!;
    await page.$eval('[data-cell]', (d) => ((d as HTMLDetailsElement).open = true));
    await page.click(`a[data-seller="${sellerId}"]`);
    await page.waitForSelector('[data-chart="sellerComposite"] svg');
    expect(await page.textContent('#seller-title')).toContain(sellerId);
    expectView(
      await viewOf(page),
      bigRecords.filter((r) => r.sellerId === sellerId),
      kindOf(bigRecords, 'dailyScore'),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says how to open a seller it does not hold, and that command writes its page, as its records say', async () => {
    const { page, errors } = await open(join(dir, 'big.html'));
    const held = new Set(
      await page.evaluate(() => (JSON.parse(document.getElementById('seller-data')!.textContent!) as { sellerId: string }[]).map((v) => v.sellerId)),
    );
    const daily = kindOf(bigRecords, 'dailyScore');
    const sellerId = daily.find((d) => !held.has(d.sellerId) && d.abilities && d.poolId?.startsWith('cat:'))!.sellerId;
    await page.fill('#q', sellerId);
    await page.click('#search button[type="submit"]');
    await page.waitForSelector(`[data-missing="${sellerId}"]`);
    expect(await page.textContent('#seller .cmd')).toBe(`grader report --seller ${sellerId} --records ${bigFile} --out ${sellerId}.html`);
    await page.close();
    expect(errors).toEqual([]);
    const out = join(dir, `${sellerId}.html`);
    await report({ policy: DEFAULT_POLICY, records: bigFile, seller: sellerId, out });
    const seller = await open(out);
    expectView(
      await viewOf(seller.page),
      bigRecords.filter((r) => r.sellerId === sellerId),
      daily,
    );
    expect(seller.errors).toEqual([]);
    await seller.page.close();
  });
});

describe('a seller’s page written on demand from the tables', () => {
  it('shows what the tables hold of the seller: standing, tiers, abilities against its whole pool, rates, criteria, findings', async () => {
    const grades = new GradesRepository(env.store);
    const reference = new ReferenceRepository(env.store);
    const sellers = await reference.sellers();
    const lastDay = (await new RunsRepository(env.store).list({ job: 'daily' }))
      .filter((r) => r.status === 'succeeded')
      .map((r) => r.period)
      .sort()
      .at(-1)!;
    const daily = await new DailyScorePacks(env.store).on(sellers, lastDay);
    const health = (await grades.getMany(daily.map((d) => ({ sellerId: d.sellerId, sk: 'healthCheck' })))).filter(
      (h): h is HealthCheckRecord => h.kind === 'healthCheck',
    );
    const withFindings = new Set(health.filter((h) => h.findings.length > 0).map((h) => h.sellerId));
    const d = daily.find((r) => r.abilities && withFindings.has(r.sellerId)) ?? daily.find((r) => r.abilities)!;
    const out = join(dir, 'seller.html');
    await report({ store: env.store, policy: DEFAULT_POLICY, seller: d.sellerId, out });
    const { page, errors } = await open(out);
    expect(await page.textContent('#seller-title')).toContain(d.sellerId);
    const own = [...(await grades.listSeller(d.sellerId)), d];
    expectView(await viewOf(page), own, daily);
    const service = kindOf(own, 'serviceLevel').sort((a, b) => (a.period < b.period ? 1 : -1))[0] as ServiceLevelRecord;
    const rates = await tableOf(page, 'serviceRates');
    expect(rates.badExperienceRate![0]).toBe(service.badExperienceRate === null ? 'n/a' : service.badExperienceRate.toFixed(3));
    const merchant = kindOf(own, 'merchantAssessment').sort((a, b) => (a.quarter < b.quarter ? 1 : -1))[0]!;
    expect(Object.keys(await tableOf(page, 'merchantCriteria'))).toHaveLength(merchant.criteria.gold.length + merchant.criteria.silver.length);
    const findings = kindOf(own, 'healthCheck')[0]?.findings ?? [];
    expect(
      await page.$$eval('table[data-table="sellerFindings"] tbody tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[0]!.textContent)),
    ).toEqual(findings.map((f) => f.id));
    // drawn where it was written: the page needs no script to show its charts
    expect(await page.$('#app-code')).toBeNull();
    expect(readFileSync(out, 'utf8')).not.toContain('echarts');
    expect(errors).toEqual([]);
    await page.close();
  });
});
