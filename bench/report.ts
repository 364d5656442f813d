/**
 * `npm run bench:report [sellers...]`: the report's size and load time in Debian's chromium for
 * 1,000 and 10,000 sellers (records from offline scoring of a synthetic marketplace: three months
 * of monthly runs, a quarter, a day). Load time: navigation start to the page's last chart drawn,
 * the median of three loads.
 */
import '../bin/cli/warnings';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { renderReport } from '../bin/cli/report';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { prepareJob } from '../lib/evaluateJob';
import { DEFAULT_POLICY } from '../lib/policy';
import type { GradeRecord } from '../lib/records';
import { reportModel } from '../lib/report';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const dir = mkdtempSync(join(tmpdir(), 'grader-bench-report-'));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const sellers of sizes.length ? sizes : [1000, 10_000]) {
    const market = syntheticMarketplace({ sellers, from: '2026-01-01', to: '2026-07-31', seed: 5 });
    const rows = [...rowsOver(market, { start: '2026-01-01', end: '2026-07-31' })];
    const records: GradeRecord[] = [];
    const run = (job: 'daily' | 'monthly' | 'quarterly', period: string) => {
      const j = prepareJob(job, period, { categories: market.categories, sellers: market.sellers, grants: market.grants }, DEFAULT_POLICY, `bench-${period}`);
      for (const r of rows) j.addMetricRow(r);
      records.push(...j.records());
    };
    for (const month of ['2026-05', '2026-06', '2026-07']) run('monthly', month);
    run('quarterly', '2026-Q2');
    run('daily', '2026-07-31');
    const t = performance.now();
    const html = renderReport(reportModel({ records, period: '2026-07', policy: DEFAULT_POLICY }));
    const buildMs = performance.now() - t;
    const file = join(dir, `report-${sellers}.html`);
    writeFileSync(file, html);
    const ready: number[] = [];
    const done: number[] = [];
    const search: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => (window as unknown as { REPORT_READY?: boolean }).REPORT_READY === true);
      ready.push(await page.evaluate(() => performance.now()));
      await page.waitForFunction(() => (window as unknown as { REPORT_DONE?: boolean }).REPORT_DONE === true);
      done.push(await page.evaluate(() => performance.now()));
      const t0 = Date.now();
      await page.fill('#q', market.sellers[sellers - 1]!.sellerId);
      await page.click('#search button[type="submit"]');
      await page.waitForSelector('[data-chart="sellerComposite"] svg');
      search.push(Date.now() - t0);
      await page.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!.toFixed(0);
    console.log(
      `${sellers.toLocaleString('en-US')} sellers: report ${(html.length / 1024 / 1024).toFixed(2)} MB (built in ${buildMs.toFixed(0)} ms); ` +
        `first charts shown ${median(ready)} ms, every chart drawn ${median(done)} ms, a seller's view opened ${median(search)} ms (medians of 3 loads)`,
    );
  }
} finally {
  await browser.close();
}
