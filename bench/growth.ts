/**
 * `npm run bench:growth [listings]`: the pure growth core (`growthRecords` of lib/growth.ts) on one
 * synthetic day of 1,000,000 listings (about a fifth active) in 400 Zipf-sized categories under 40
 * parents, with the state in force from the day before, so hysteresis, grants, expiries and
 * unchanged records occur. Prints the core's wall time (median of 3), the records out and the peak
 * memory. Run with --expose-gc (the npm script does).
 */
import os from 'node:os';
import { growthRecords } from '../lib/growth';
import { DEFAULT_POLICY } from '../lib/policy';
import { syntheticGrowth } from '../test/helpers/growthDay';

const n = Number(process.argv[2] ?? 1_000_000);
const runs = 3;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const count = (x: number) => x.toLocaleString('en-US');

let peakHeap = 0;
const sampleHeap = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

let t = performance.now();
const { day } = syntheticGrowth({ listings: n, categories: 400, parents: 40, date: '2026-07-16', seed: 19, policy: DEFAULT_POLICY });
gc();
sampleHeap();
console.log(
  `${count(n)} listings, sums and the state in force of the day before built in ${((performance.now() - t) / 1000).toFixed(1)} s; heap ${mb(peakHeap)}`,
);

const seconds: number[] = [];
const cpuSeconds: number[] = [];
let tally: Record<string, number> = {};
for (let run = 0; run < runs; run++) {
  gc();
  tally = {};
  let out = 0;
  t = performance.now();
  const cpu = process.cpuUsage();
  for (const r of growthRecords(day)) {
    const key =
      r.kind === 'listingStage'
        ? `${r.asOf === day.date ? 'written' : 'unchanged'} ${r.stage}`
        : `incentive ${r.status}${r.status === 'active' && r.grantedOn === day.date ? ' (granted)' : ''}`;
    tally[key] = (tally[key] ?? 0) + 1;
    if (++out % 65_536 === 0) sampleHeap();
  }
  seconds.push((performance.now() - t) / 1000);
  const used = process.cpuUsage(cpu);
  cpuSeconds.push((used.user + used.system) / 1e6);
  sampleHeap();
}
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(runs / 2)]!;
const median = medianOf(seconds);
const records = Object.values(tally).reduce((a, b) => a + b, 0);
console.log(
  `growthRecords: ${count(n)} listings in ${median.toFixed(2)} s (median of ${seconds.map((s) => s.toFixed(2)).join(', ')}) = ${count(Math.round(n / median))} listings/s; ${count(records)} records out`,
);
// on a shared machine the wall time includes waiting for a core; the process's CPU time (GC threads included) does not
console.log(
  `  CPU time of the process during the core: ${medianOf(cpuSeconds).toFixed(2)} s (median of ${cpuSeconds.map((s) => s.toFixed(2)).join(', ')}); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
);
for (const [key, value] of Object.entries(tally).sort()) console.log(`  ${key.padEnd(28)} ${count(value).padStart(9)}`);
console.log(`peak heap used ${mb(peakHeap)}; peak RSS of the whole benchmark ${mb(process.resourceUsage().maxRSS * 1024)}`);
