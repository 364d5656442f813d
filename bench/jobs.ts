/**
 * `npm run bench:jobs`: the monthly job on the embedded DynamoDB Local for 2,000 and 10,000 sellers,
 * against the raw throughput of the same store for the same number of items read and written with
 * plain batched SDK calls, measured in the same run.
 */
import '../bin/cli/warnings';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchPut, chunks, mapLimit, RequestStats } from '../functions/data/batch';
import { openStore, type Store } from '../functions/data/store';
import { importData } from '../functions/jobs/importData';
import { runJob } from '../functions/jobs/runJob';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { DEFAULT_POLICY } from '../lib/policy';

/**
 * Writes, reads and deletes grade-like items once before anything is measured: the store's JVM
 * compiles its write path (stream and index included) on first use, and neither the job nor the
 * raw calls measured after it should pay for that.
 */
async function warmUp(store: Store, count = 16_000): Promise<void> {
  const keys = Array.from({ length: count }, (_, i) => ({ sellerId: `warm-up-${i % 500}`, sk: `operationTier#warm-up-${i}` }));
  const items = keys.map((key, i) => ({
    ...key,
    kind: 'operationTier',
    lookupPk: `operationTier#warm-up#c${i % 30}`,
    lookupSk: key.sellerId,
    record: 'x'.repeat(900),
  }));
  const stats = new RequestStats();
  await batchPut(store.doc, store.tables.grades, items, stats, 8);
  await batchGet(store.doc, store.tables.grades, keys, stats);
  await mapLimit(chunks(keys, 25), 8, async (chunk) => {
    const out = await store.doc.send(new BatchWriteCommand({ RequestItems: { [store.tables.grades]: chunk.map((Key) => ({ DeleteRequest: { Key } })) } }));
    if (Object.keys(out.UnprocessedItems ?? {}).length > 0) throw new Error('warm-up: the store left deletes unprocessed');
  });
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
for (const sellers of sizes.length ? sizes : [2000, 10_000]) {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  try {
    const from = '2026-03-01';
    const to = '2026-06-30';
    const market = syntheticMarketplace({ sellers, from, to, seed: 99 });
    let t = performance.now();
    const imported = await importData(
      store,
      { categories: market.categories, sellers: market.sellers, metrics: rowsOver(market, { start: from, end: to }) },
      {
        policy: DEFAULT_POLICY,
        importId: 'bench',
        now: new Date().toISOString(),
      },
    );
    const importSeconds = (performance.now() - t) / 1000;

    await warmUp(store);
    store.stats = new RequestStats();
    t = performance.now();
    const run = await runJob(
      { job: 'monthly', period: '2026-07', trigger: 'schedule', requestedBy: 'bench', reason: 'bench', asOf: '2026-07-02', runId: 'bench-monthly' },
      { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() },
    );
    const jobSeconds = (performance.now() - t) / 1000;
    const job = store.stats;

    // Raw: the very items the job wrote, written again under other keys of the same table, and as
    // many reads, with plain batched calls (no scoring, no hashing, no validation).
    const written: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await store.doc.send(new ScanCommand({ TableName: store.tables.grades, ExclusiveStartKey }));
      written.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const items = Array.from({ length: job.itemsWritten }, (_, i) => ({ ...written[i % written.length]!, sk: `raw#${i}` }));
    const raw = (store.stats = new RequestStats());
    t = performance.now();
    await batchPut(store.doc, store.tables.grades, items, raw, 8);
    const keys = Array.from({ length: job.itemsRead }, (_, i) => ({
      sellerId: String((items[i % items.length] as Record<string, unknown>).sellerId),
      sk: `raw#${i % items.length}`,
    }));
    await batchGet(store.doc, store.tables.grades, keys, raw);
    const rawSeconds = (performance.now() - t) / 1000;

    const perSeller = (n: number) => (n / sellers).toFixed(2);
    console.log(
      `${sellers.toLocaleString('en-US')} sellers (${imported.metricRows.toLocaleString('en-US')} metric rows imported in ${importSeconds.toFixed(1)} s as ${imported.blocksWritten.toLocaleString('en-US')} block-days)`,
    );
    console.log(
      `  monthly job: ${run.state} in ${jobSeconds.toFixed(2)} s = ${Math.round(sellers / jobSeconds).toLocaleString('en-US')} sellers/s; ${run.run.counts.written} records written`,
    );
    console.log(
      `  DynamoDB per seller: ${perSeller(job.requests)} requests, ${perSeller(job.itemsRead)} items read, ${perSeller(job.itemsWritten)} items written, ${perSeller(job.capacityUnits)} capacity units`,
    );
    console.log(`  metric rows read: 0 (the job read ${job.itemsRead} items in all, metric blocks included; each block item once)`);
    console.log(
      `  raw store, same ${job.itemsWritten.toLocaleString('en-US')} writes + ${job.itemsRead.toLocaleString('en-US')} reads with plain batched calls: ${rawSeconds.toFixed(2)} s`,
    );
    console.log(`  job reaches ${((100 * rawSeconds) / jobSeconds).toFixed(0)}% of the raw throughput (target >= 70%)`);
  } finally {
    store.client.destroy();
    await embedded.stop();
  }
}
