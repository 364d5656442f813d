/**
 * `npm run bench:growthFanout [listings...]` (default 200,000): the `growth` job through the
 * production path on the embedded DynamoDB Local. Synthetic listings with life-cycle curves
 * (functions/local/syntheticListings.ts) in 300 categories, 31 days of their rows imported, then
 * two consecutive scheduled growth runs with the day between them ingested: the scheduled handler
 * plans, the local SQS-semantics queue delivers batches of 5 shards (as in AWS) to the real
 * shard-worker handler, 4 invocations at once. Each invocation runs in a "container" with its own
 * store client (and so its own caches), reused by later invocations as Lambda reuses warm
 * containers: every container reads the run's data once, as each AWS worker does. Prints wall
 * time, planning, shards, worker-seconds, requests, items and capacity units per listing (every
 * request metered, not only the batched ones) and peak RSS, for docs/operations.md.
 */
import '../bin/cli/warnings';
import { readdirSync, readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RequestStats } from '../functions/data/batch';
import { RunsRepository } from '../functions/data/runsRepository';
import { openStore, type Store } from '../functions/data/store';
import { importData } from '../functions/jobs/importData';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { LocalQueue } from '../functions/local/localQueue';
import { localContext } from '../functions/local/simulate';
import { listingRowsOver, syntheticListings } from '../functions/local/syntheticListings';
import { syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { scheduledJobHandler } from '../functions/scheduledJob';
import { shardWorkerHandler } from '../functions/shardWorker';
import { addDays, instantOf } from '../lib/calendar';
import { DEFAULT_POLICY } from '../lib/policy';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Capacity units of every request a client sends, read and write apart (DynamoDB Local reports them as AWS would bill). */
interface Meter {
  requests: number;
  read: number;
  write: number;
}

const WRITES = /Put|Update|Delete|Write/;

function meter(client: DynamoDBClient, m: () => Meter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      const into = m();
      into.requests++;
      if (WRITES.test(context.commandName ?? '')) into.write += units;
      else into.read += units;
      return out;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
}

/** CPU seconds of a process group (DynamoDB Local's JVM), from /proc; 0 where there is none. */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

for (const listingCount of sizes.length ? sizes : [200_000]) {
  const embedded = await startEmbeddedStore();
  let current: Meter = { requests: 0, read: 0, write: 0 };
  const stats = { current: new RequestStats() };
  const open = (): Store => {
    const store = openStore({ endpoint: embedded.endpoint, env: {} });
    meter(store.client, () => current);
    return store;
  };
  const store = open();
  const containers: Store[] = [];
  try {
    const date = '2026-07-02';
    const next = addDays(date, 1);
    // 300 categories under 6 parents (Zipf-sized); the first sellers of a 100,000-seller marketplace, 30 listings each on average
    const market = syntheticMarketplace({ sellers: 100_000, from: '2025-07-01', to: next, seed: 99 });
    const sellers = market.sellers.slice(0, Math.ceil(listingCount / 30));
    const synthetic = syntheticListings({ categories: market.categories, sellers }, { from: '2025-07-01', to: date, seed: 19 });
    const listings = synthetic.listings.slice(0, listingCount);
    const kept = new Set(listings.map((l) => l.listingId));
    const rowsOn = (d: string) => synthetic.rowsOn(d).filter((r) => kept.has(r.listingId));
    let t = performance.now();
    const first = { start: addDays(date, -31), end: addDays(date, -1) };
    const active = new Set<string>();
    const rows = function* () {
      for (const row of listingRowsOver({ listings, rowsOn }, first)) {
        if (row.date > first.start) active.add(row.listingId);
        yield row;
      }
    };
    const imported = await importData(
      store,
      { categories: market.categories, sellers, listings, listingMetrics: rows() },
      { policy: DEFAULT_POLICY, importId: 'bench-growth', now: new Date().toISOString() },
    );
    const importSeconds = (performance.now() - t) / 1000;
    const used = new Set(listings.map((l) => l.categoryId));
    console.log(
      `${n(imported.listings)} listings of ${n(sellers.length)} sellers in ${used.size} categories: ${n(imported.listingRows)} listing rows (${first.start}..${first.end}, ${n(imported.listingRows / 31 / imported.listings, 2)} a listing a day; ${n((100 * active.size) / imported.listings, 1)}% of the listings active in the first run's window), ${n(imported.blocksWritten)} block items, imported in ${n(importSeconds, 1)} s`,
    );

    const peak = { rss: 0 };
    const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 200);
    sampler.unref();
    const deps = { policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
    const batches: { shards: number; millis: number; cold: boolean }[] = [];
    const idle: Store[] = [];
    const queue = new LocalQueue(
      'shards',
      async (event, deadline) => {
        const started = performance.now();
        const cold = idle.length === 0;
        const container = idle.pop() ?? open();
        if (cold) containers.push(container);
        container.stats = stats.current;
        const worker = shardWorkerHandler(() => ({ ...deps, store: container }));
        try {
          return await worker(event, { ...localContext('shardWorker'), getRemainingTimeInMillis: () => deadline - Date.now() });
        } finally {
          batches.push({ shards: event.Records.length, millis: performance.now() - started, cold });
          idle.push(container);
        }
      },
      { batchSize: 5, concurrency: 4, invocationTimeoutMs: 600_000, visibilityTimeoutMs: 900_000 },
    );
    const planner = scheduledJobHandler(() => ({ ...deps, store, dispatch: async (tasks) => queue.send(tasks.map((task) => JSON.stringify(task))) }));

    for (const [k, runDate] of [date, next].entries()) {
      if (k === 1) {
        // the day between the runs arrives as the daily ingestion would bring it
        current = { requests: 0, read: 0, write: 0 };
        t = performance.now();
        const day = await importData(
          store,
          { listingMetrics: rowsOn(date) },
          { policy: DEFAULT_POLICY, importId: `bench-growth-${date}`, now: new Date().toISOString() },
        );
        const m = current;
        console.log(
          `  ingestion of ${date}: ${n(day.listingRows)} rows, ${n(day.blocksWritten)} block items in ${n((performance.now() - t) / 1000, 1)} s; per listing ${n(m.requests / listingCount, 4)} requests, ${n(m.read / listingCount, 4)} read units, ${n(m.write / listingCount, 4)} write units`,
        );
      }
      stats.current = store.stats = new RequestStats();
      current = { requests: 0, read: 0, write: 0 };
      batches.length = 0;
      const coldBefore = containers.length;
      const [cpu, jvm] = [cpuSeconds(), groupCpuSeconds(embedded.pid)];
      t = performance.now();
      const planned = await planner({ job: 'growth', scheduledTime: instantOf(runDate, 4, DEFAULT_POLICY.timeZone) }, localContext('growth'));
      const planSeconds = (performance.now() - t) / 1000;
      const planMeter = { ...current };
      await queue.drain();
      const seconds = (performance.now() - t) / 1000;
      const [cpuUsed, jvmUsed] = [cpuSeconds() - cpu, groupCpuSeconds(embedded.pid) - jvm];
      const run = await new RunsRepository(store).get('growth', runDate, planned.runId);
      const s = stats.current;
      const per = (x: number, digits = 3) => n(x / listingCount, digits);
      const workerSeconds = batches.reduce((a, b) => a + b.millis, 0) / 1000;
      const coldSeconds = batches.filter((b) => b.cold).reduce((a, b) => a + b.millis, 0) / 1000;
      const shards = batches.reduce((a, b) => a + b.shards, 0);
      console.log(
        `  growth ${runDate}${k === 0 ? ' (first evaluation: every stage written)' : ' (the next day)'}: ${run?.status} in ${n(seconds, 1)} s (planning ${n(planSeconds, 1)} s), ${run?.shards} shards, ${n(run?.counts.sellers ?? 0)} listings evaluated, ${n(run?.counts.written ?? 0)} records written, ${n(run?.counts.unchanged ?? 0)} unchanged`,
      );
      console.log(
        `    worker: ${batches.length} invocations (batches of up to 5 shards, 4 at once; ${containers.length - coldBefore} new containers, their first batch ${n(coldSeconds, 1)} s), ${n(workerSeconds, 1)} worker-seconds, ${n((1000 * workerSeconds) / Math.max(1, shards))} ms per shard, slowest batch ${n(Math.max(0, ...batches.map((b) => b.millis)) / 1000, 1)} s; CPU: this process ${n(cpuUsed, 1)} s, DynamoDB Local ${n(jvmUsed, 1)} s`,
      );
      console.log(
        `    DynamoDB per listing: ${per(current.requests, 4)} requests, ${per(s.itemsRead, 4)} items read, ${per(s.itemsWritten, 4)} items written (batched), ${per(current.read, 4)} read units, ${per(current.write, 4)} write units (every request)`,
      );
      console.log(
        `    of which planning: ${n(planMeter.requests)} requests, ${n(planMeter.read, 1)} read units, ${n(planMeter.write, 1)} write units; redeliveries ${queue.stats.redeliveries}, dead letters ${queue.stats.deadLettered}`,
      );
    }
    console.log(
      `  peak RSS during the runs ${n(peak.rss / 2 ** 20)} MiB; of the whole process ${n(process.resourceUsage().maxRSS / 1024)} MiB (${containers.length} worker containers and the planner in one process; DynamoDB Local's JVM apart)`,
    );
  } finally {
    for (const c of [store, ...containers]) c.client.destroy();
    await embedded.stop();
  }
}
