/**
 * `npm run bench:fanout [sellers...]` (default 100,000): a marketplace with four months of
 * metrics on the embedded DynamoDB Local, then a daily and a monthly run through the production
 * path — the scheduled handler plans, the local SQS-semantics queue delivers shard batches to the
 * real shard-worker handler. Prints wall time, shards, worker invocations, DynamoDB requests, items
 * and capacity units per seller, and the per-batch figures docs/operations.md projects AWS from.
 */
import '../bin/cli/warnings';
import { RequestStats } from '../functions/data/batch';
import { RunsRepository } from '../functions/data/runsRepository';
import { openStore } from '../functions/data/store';
import { importData } from '../functions/jobs/importData';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { LocalQueue } from '../functions/local/localQueue';
import { localContext } from '../functions/local/simulate';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { scheduledJobHandler } from '../functions/scheduledJob';
import { shardWorkerHandler } from '../functions/shardWorker';
import { instantOf, type Job } from '../lib/calendar';
import { DEFAULT_POLICY } from '../lib/policy';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

for (const sellers of sizes.length ? sizes : [100_000]) {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  try {
    const from = '2026-03-01';
    const to = '2026-06-30';
    const market = syntheticMarketplace({ sellers, from, to, seed: 99 });
    let t = performance.now();
    // one import per month: an import judges every line before it writes, so it holds its rows in memory
    let metricRows = 0;
    for (const [i, month] of ['2026-03', '2026-04', '2026-05', '2026-06'].entries()) {
      const imported = await importData(
        store,
        {
          ...(i === 0 ? { categories: market.categories, sellers: market.sellers, grants: market.grants } : {}),
          metrics: rowsOver(market, { start: `${month}-01`, end: `${month}-${month === '2026-04' || month === '2026-06' ? '30' : '31'}` }),
        },
        { policy: DEFAULT_POLICY, importId: `bench-${month}`, now: new Date().toISOString() },
      );
      metricRows += imported.metricRows;
    }
    console.log(
      `${n(sellers)} sellers in ${market.categories.length} categories: ${n(metricRows)} metric rows (${from}..${to}) imported month by month in ${n((performance.now() - t) / 1000, 1)} s`,
    );
    const peak = { rss: 0 };
    const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 200);
    sampler.unref();

    const batches: { shards: number; millis: number }[] = [];
    const deps = { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
    const worker = shardWorkerHandler(() => deps);
    const queue = new LocalQueue(
      'shards',
      async (event, deadline) => {
        const started = performance.now();
        const out = await worker(event, { ...localContext('shardWorker'), getRemainingTimeInMillis: () => deadline - Date.now() });
        batches.push({ shards: event.Records.length, millis: performance.now() - started });
        return out;
      },
      { batchSize: 10, invocationTimeoutMs: 600_000, visibilityTimeoutMs: 900_000 },
    );
    const planner = scheduledJobHandler(() => ({ ...deps, dispatch: async (tasks) => queue.send(tasks.map((task) => JSON.stringify(task))) }));

    for (const [job, date] of [
      ['daily', '2026-06-30'],
      ['monthly', '2026-07-02'],
    ] as [Job, string][]) {
      store.stats = new RequestStats();
      batches.length = 0;
      t = performance.now();
      const planned = await planner({ job, scheduledTime: instantOf(date, 3, DEFAULT_POLICY.timeZone) }, localContext(job));
      const planSeconds = (performance.now() - t) / 1000;
      await queue.drain();
      const seconds = (performance.now() - t) / 1000;
      const run = await new RunsRepository(store).get(job, planned.runId.slice(`schedule-${job}-`.length), planned.runId);
      const s = store.stats;
      const per = (x: number) => n(x / sellers, 2);
      const workerSeconds = batches.reduce((a, b) => a + b.millis, 0) / 1000;
      const shards = batches.reduce((a, b) => a + b.shards, 0);
      console.log(
        `  ${job} ${run?.period}: ${run?.status} in ${n(seconds, 1)} s (planning ${n(planSeconds, 1)} s), ${run?.shards} shards, ${n(run?.counts.written ?? 0)} records written`,
      );
      console.log(
        `    worker: ${batches.length} invocations (batches of up to 10 shards, 4 at once), ${n(workerSeconds, 1)} worker-seconds, ${n((1000 * workerSeconds) / Math.max(1, shards))} ms per shard, slowest batch ${n(Math.max(0, ...batches.map((b) => b.millis)) / 1000, 1)} s`,
      );
      console.log(
        `    DynamoDB per seller: ${per(s.requests)} requests, ${per(s.itemsRead)} items read, ${per(s.itemsWritten)} items written, ${per(s.capacityUnits - s.writeUnits)} read units, ${per(s.writeUnits)} write units (batched and pack writes)`,
      );
      console.log(`    redeliveries ${queue.stats.redeliveries}, dead letters ${queue.stats.deadLettered}`);
    }
    console.log(`  peak RSS of this process ${n(peak.rss / 2 ** 20)} MiB (DynamoDB Local's JVM apart)`);
  } finally {
    store.client.destroy();
    await embedded.stop();
  }
}
