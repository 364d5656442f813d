import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCalendarDate } from '../../lib/calendar';
import { listingRowsOver, syntheticListings } from '../../functions/local/syntheticListings';
import { rowsOver, syntheticMarketplace } from '../../functions/local/syntheticMarketplace';
import { UsageError } from './errors';

/** `grader generate`: writes a synthetic marketplace as the JSONL files `score` and `import` read. */
async function generate(values: Record<string, string | boolean | undefined>): Promise<string> {
  const sellers = Number(values.sellers ?? 1000);
  if (!Number.isInteger(sellers) || sellers < 1) throw new UsageError(`--sellers must be a positive whole number (got ${String(values.sellers)})`);
  for (const flag of ['from', 'to'] as const) {
    const v = values[flag];
    if (typeof v !== 'string' || !isCalendarDate(v)) throw new UsageError(`--${flag} must be YYYY-MM-DD (got ${String(v ?? 'nothing')})`);
  }
  const from = values.from as string;
  const to = values.to as string;
  if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
  const dir = values.out;
  mkdirSync(dir, { recursive: true });
  const market = syntheticMarketplace({ sellers, from, to });
  const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(market.sellers));
  writeFileSync(join(dir, 'grants.jsonl'), jsonl(market.grants));
  const listings = syntheticListings(market, { from, to });
  writeFileSync(join(dir, 'listings.jsonl'), jsonl(listings.listings));
  const window = { start: from, end: to };
  const rows = await writeJsonl(join(dir, 'metrics.jsonl'), rowsOver(market, window));
  const listingRows = await writeJsonl(join(dir, 'listingMetrics.jsonl'), listingRowsOver(listings, window));
  return `wrote ${market.categories.length} categories, ${market.sellers.length} sellers, ${market.grants.length} grants, ${rows} metric rows, ${listings.listings.length} listings and ${listingRows} listing rows to ${dir}`;
}

/** Writes the rows as JSON lines, waiting on the stream when it is full; returns their number. */
async function writeJsonl(path: string, rows: Iterable<unknown>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  for (const row of rows) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    count++;
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return count;
}

export { generate };
