/**
 * `npm run bench`: the monthly scoring pipeline on synthetic window totals of 100,000 and
 * 1,000,000 sellers in ~200 categories. Prints sellers per second and peak memory.
 * Run with --expose-gc (the npm script does) so each size starts from a clean heap.
 */
import { monthlyRecords } from '../lib/jobs';
import { matrixOf, planWindowPools, type TotalsMatrix } from '../lib/grading';
import { F, FIELD_COUNT } from '../lib/metrics';
import { operationTierOf, tierThresholds } from '../lib/operationTier';
import { DEFAULT_POLICY } from '../lib/policy';
import { scorePool } from '../lib/scores';
import { validateRecord } from '../lib/records';
import { prng } from '../functions/local/syntheticMarketplace';

const policy = DEFAULT_POLICY;

function syntheticTotals(n: number, categories: number) {
  const random = prng(42);
  const sellers = Array.from({ length: n }, (_, i) => {
    const c = Math.floor(random() ** 1.5 * categories);
    return { sellerId: `s${i}`, categoryId: `c${c}`, parentId: `p${c % 30}` };
  });
  const scoring = matrixOf(n);
  const previous = new Float64Array(n);
  const service = matrixOf(n);
  const fill = (m: TotalsMatrix, s: number, scale: number) => {
    const o = s * FIELD_COUNT;
    const visitors = Math.floor(random() < 0.05 ? 0 : 3000 * scale * random() ** 2);
    const orders = Math.floor(visitors * 0.04 * random());
    const v = m.sums;
    v[o + F.visitors] = visitors;
    v[o + F.orders] = orders;
    v[o + F.gmvCents] = orders * (1000 + Math.floor(7000 * random()));
    v[o + F.productViews] = visitors * 2;
    v[o + F.activeListings] = 30 * 100;
    v[o + F.listingsWithSales] = Math.floor(3000 * random());
    v[o + F.inStockListings] = Math.floor(3000 * (0.8 + 0.2 * random()));
    v[o + F.campaignOrders] = Math.floor(orders * 0.2 * random());
    v[o + F.marketsWithOrders] = Math.min(orders, 300);
    v[o + F.trackingOnline72h] = Math.floor(orders * (0.7 + 0.3 * random()));
    v[o + F.deliveredOrders] = orders;
    v[o + F.deliveryDaysSum] = orders * (7 + Math.floor(10 * random()));
    v[o + F.unshippedPaidOrders] = Math.floor(orders * 0.02 * random());
    v[o + F.messagesReceived] = orders;
    v[o + F.messagesAnswered24h] = Math.floor(orders * random());
    v[o + F.disputesOpened] = Math.floor(orders * 0.03 * random());
    v[o + F.repeatBuyerOrders] = Math.floor(orders * 0.3 * random());
    v[o + F.newFollowers] = Math.floor(visitors * 0.01);
    v[o + F.closedOrders] = orders;
    v[o + F.badExperienceOrders] = Math.floor(orders * 0.1 * random());
    v[o + F.sellerResponsibleArbitrations] = Math.floor(orders * 0.01 * random());
    v[o + F.ratings] = Math.floor(orders * 0.6);
    v[o + F.positiveRatings] = Math.floor(orders * 0.6 * (0.8 + 0.2 * random()));
    for (const [sum, count] of [
      [F.dsrDescriptionSum, F.dsrDescriptionCount],
      [F.dsrCommunicationSum, F.dsrCommunicationCount],
      [F.dsrShippingSum, F.dsrShippingCount],
    ] as const) {
      v[o + count] = Math.floor(orders * 0.5);
      v[o + sum] = Math.floor(v[o + count]! * (3 + 2 * random()));
    }
  };
  for (let s = 0; s < n; s++) {
    fill(scoring, s, 1);
    fill(service, s, 3);
    previous[s] = scoring.sums[s * FIELD_COUNT + F.gmvCents]! * (0.7 + 0.6 * random());
  }
  return { sellers, scoring, previous, service };
}

const TIERS = ['top', 'highPotential', 'mid', 'basic'] as const;
const INACTIVE = TIERS.length;

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** Pools, smoothing, normalization, entropy weights, abilities, composites, thresholds and tiers of every seller. */
function scoreMonth(input: ReturnType<typeof syntheticTotals>) {
  const plan = planWindowPools(input.sellers, input.scoring, policy);
  // never-scored (inactive) sellers keep INACTIVE: they are not `top`
  const tiers = new Uint8Array(input.sellers.length).fill(INACTIVE);
  const composite = new Float64Array(input.sellers.length);
  for (const pool of plan.pools) {
    const n = pool.members.length;
    const sums = new Float64Array(n * FIELD_COUNT);
    const previous = new Float64Array(n);
    pool.members.forEach((s, k) => {
      sums.set(input.scoring.sums.subarray(s * FIELD_COUNT, (s + 1) * FIELD_COUNT), k * FIELD_COUNT);
      previous[k] = input.previous[s]!;
    });
    const scores = scorePool({ size: n, sums, previousGmvCents: previous, windowDays: 30 }, policy);
    const thresholds = tierThresholds(scores.composite, policy);
    const position = new Map<number, number>();
    pool.members.forEach((s, k) => position.set(s, k));
    for (const s of pool.assigned) {
      const c = scores.composite[position.get(s)!]!;
      composite[s] = c;
      tiers[s] = TIERS.indexOf(operationTierOf(c, thresholds));
    }
    sample();
  }
  return { pools: plan.pools.length, tiers, composite };
}

function gc() {
  (globalThis as { gc?: () => void }).gc?.();
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
for (const n of sizes.length ? sizes : [100_000, 1_000_000]) {
  gc();
  peakRss = 0;
  const input = syntheticTotals(n, 200);
  sample();
  const t0 = performance.now();
  const result = scoreMonth(input);
  const seconds = (performance.now() - t0) / 1000;
  sample();
  const counts = [0, 1, 2, 3, INACTIVE].map((t) => result.tiers.filter((x) => x === t).length);
  console.log(
    `${n.toLocaleString('en-US').padStart(9)} sellers, ${result.pools} pools: scored in ${seconds.toFixed(2)} s = ${Math.round(n / seconds).toLocaleString('en-US')} sellers/s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB; tiers top/highPotential/mid/basic ${counts.slice(0, 4).join('/')}, inactive (basic) ${counts[4]}`,
  );
}

// Building, validating and serializing the full records is the other half of a monthly run.
{
  gc();
  const n = 100_000;
  const input = syntheticTotals(n, 200);
  const t0 = performance.now();
  let bytes = 0;
  let records = 0;
  for (const r of monthlyRecords({ sellers: input.sellers, policy, runId: 'bench' }, '2026-07', {
    scoring: input.scoring,
    previousGmvCents: input.previous,
    service: input.service,
  })) {
    bytes += JSON.stringify(validateRecord(r)).length;
    records++;
  }
  const seconds = (performance.now() - t0) / 1000;
  sample();
  console.log(
    `${n.toLocaleString('en-US').padStart(9)} sellers: ${records.toLocaleString('en-US')} operationTier + serviceLevel records built, validated and serialized in ${seconds.toFixed(2)} s = ${Math.round(n / seconds).toLocaleString('en-US')} sellers/s (${(bytes / 2 ** 20).toFixed(0)} MB of JSON)`,
  );
}
console.log(`peak RSS of the whole benchmark: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
