/// <reference lib="dom" />
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from '../../bin/cli/report';
import { score } from '../../bin/cli/score';
import { GradesRepository } from '../../functions/data/gradesRepository';
import { ReferenceRepository } from '../../functions/data/referenceRepository';
import { importData } from '../../functions/jobs/importData';
import { syntheticCompliance } from '../../functions/local/syntheticCompliance';
import { simulate } from '../../functions/local/simulate';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { OperationTierRecord, StatusRecord } from '../../lib/records';
import { smallMarket } from '../helpers/fixtures';
import { jsonl } from '../helpers/jsonlFiles';
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
    expect(await page.$$eval('.chart[data-chart^="whatIf-"]', (e) => e.length)).toBeGreaterThan(1);
    await page.close();
  });
});
