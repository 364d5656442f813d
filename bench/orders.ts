/**
 * `npm run bench:orders [outcomes]`: order outcomes ingested and folded per second on the embedded
 * DynamoDB Local (import of orders.jsonl-like lines: validate, merge with the stored histories,
 * mark, write, fold into the order blocks), against the raw write rate of the same store for the
 * same number of order-sized items with plain batched SDK calls, measured in the same run. Then a
 * second delivery of corrections (10% of the orders, a third of them moved) on top.
 */
import '../bin/cli/warnings';
import { batchPut, RequestStats } from '../functions/data/batch';
import { openStore } from '../functions/data/store';
import { importData } from '../functions/jobs/importData';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { DEFAULT_POLICY } from '../lib/policy';
import { orderFeed } from '../test/helpers/orderFeed';

const target = Number(process.argv[2] ?? 50_000);
const embedded = await startEmbeddedStore();
const store = openStore({ endpoint: embedded.endpoint, env: {} });
try {
  const sellers = 500;
  const market = syntheticMarketplace({ sellers, from: '2026-01-01', to: '2026-06-30', seed: 3 });
  await importData(
    store,
    { categories: market.categories, sellers: market.sellers },
    { policy: DEFAULT_POLICY, importId: 'bench', now: new Date().toISOString() },
  );
  const ids = market.sellers.map((s) => s.sellerId);
  const days = Math.max(1, Math.round(target / (ids.length * 2)));
  const start = '2026-01-01';
  const end = new Date(Date.parse(start) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const feed = orderFeed(ids, { start, end }, 5, 2);
  const outcomes = feed.orders.length;

  // the raw rate: the same number of items of the same size, into the same table, with its index
  const sample = feed.orders.slice(0, outcomes).map((o, i) => ({
    orderId: `raw-${i}`,
    sellerId: `raw-${String(o.sellerId)}`,
    closedKey: `${String(o.closedOn)}#raw-${i}`,
    history: JSON.stringify({ versions: [{ outcomes: [o] }], decisions: [] }),
    view: JSON.stringify(o),
    bad: 0,
  }));
  let t = performance.now();
  await batchPut(store.doc, store.tables.orders, sample, new RequestStats());
  const rawSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const first = await importData(
    store,
    { orders: feed.orders, exclusions: feed.exclusions },
    { policy: DEFAULT_POLICY, importId: 'bench-1', now: new Date().toISOString() },
  );
  const ingestSeconds = (performance.now() - t) / 1000;

  const corrections = feed.orders
    .filter((_, i) => i % 10 === 0)
    .map((o, i) => ({ ...o, overallRating: 2, closedOn: i % 3 === 0 ? start : o.closedOn, updatedAt: '2026-07-01T00:00:00Z' }));
  t = performance.now();
  const second = await importData(store, { orders: corrections }, { policy: DEFAULT_POLICY, importId: 'bench-2', now: new Date().toISOString() });
  const correctSeconds = (performance.now() - t) / 1000;

  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')}/s`;
  console.log(`order outcomes: ${outcomes.toLocaleString('en-US')} lines for ${sellers} sellers over ${days} days (${start}..${end})`);
  console.log(`raw BatchWriteItem of as many order items:  ${rawSeconds.toFixed(1)} s  ${rate(outcomes, rawSeconds)}`);
  console.log(
    `ingest + fold (first delivery):             ${ingestSeconds.toFixed(1)} s  ${rate(outcomes, ingestSeconds)}  (${((rawSeconds / ingestSeconds) * 100).toFixed(0)}% of raw; ${first.orders?.sellerDaysFolded} seller-days folded, ${first.quarantined} quarantined)`,
  );
  console.log(
    `corrections (${corrections.length.toLocaleString('en-US')} lines, ${second.orders?.moved} moved):     ${correctSeconds.toFixed(1)} s  ${rate(corrections.length, correctSeconds)}  (${second.orders?.sellerDaysFolded} seller-days folded)`,
  );
} finally {
  store.client.destroy();
  await embedded.stop();
}
