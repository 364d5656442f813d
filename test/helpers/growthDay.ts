import { prng } from '../../functions/local/syntheticMarketplace';
import { addDays } from '../../lib/calendar';
import { growthRecords, type GrowthDay, type GrowthInForce, type GrowthListing } from '../../lib/growth';
import type { ListingIncentiveRecord, ListingStageRecord } from '../../lib/listingRecords';
import { LF, LISTING_FIELD_COUNT } from '../../lib/listings';
import type { Policy } from '../../lib/policy';

/**
 * A synthetic day of the growth job for the benchmark and the golden test: `listings` listings
 * (about a fifth active) in `categories` Zipf-sized categories under `parents` parents, their window
 * sums written straight into the Float64Array, and the state in force from the job of the day
 * before (run on the same listings with slightly different sums), so hysteresis, moves up and down,
 * grants, expiries, delistings and unchanged records all occur. Deterministic from the seed.
 */
interface SyntheticGrowthOptions {
  listings: number;
  categories: number;
  parents: number;
  date: string;
  seed: number;
  policy: Policy;
}

interface SyntheticGrowth {
  /** the job of `date`, with the state in force before it */
  day: GrowthDay;
  /** the job of the day before (no state in force), whose records are the state in force of `day` */
  dayBefore: GrowthDay;
}

const NO_STATE: GrowthInForce = { stage: null, incentives: [] };

function syntheticGrowth(options: SyntheticGrowthOptions): SyntheticGrowth {
  const { listings: n, date, policy } = options;
  const random = prng(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const weights = Array.from({ length: options.categories }, (_, c) => 1 / (c + 1) ** 1.2);
  const cumulative: number[] = [];
  weights.reduce((sum, w, c) => (cumulative[c] = sum + w), 0);
  const total = cumulative[cumulative.length - 1]!;
  const yesterday = addDays(date, -1);
  const listings: GrowthListing[] = new Array(n);
  // per listing: expected window visitors, conversion, price, quality; its activity on each day
  const reach = new Float64Array(n);
  const conversion = new Float64Array(n);
  const price = new Float64Array(n);
  const quality = new Float64Array(n);
  const drift = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pick = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < pick) lo = mid + 1;
      else hi = mid;
    }
    const roll = random();
    // launched over three years, a few on the day before D (evaluated on D only); some delisted
    const listedOn = roll < 0.002 ? yesterday : addDays(date, -2 - Math.floor(random() ** 2 * 1100));
    const delistRoll = random();
    const delistedOn = delistRoll < 0.002 ? addDays(date, -2) : delistRoll < 0.06 ? addDays(date, -3 - Math.floor(random() * 300)) : null;
    listings[i] = {
      listingId: `l-${i}`,
      sellerId: `s-${Math.floor(i / 40)}`,
      categoryId: `c-${lo}`,
      parentId: `p-${lo % options.parents}`,
      listedOn: delistedOn !== null && delistedOn < listedOn ? delistedOn : listedOn,
      delistedOn,
    };
    const active = random() < 0.2;
    const star = random() < 0.004 ? 40 : 1;
    reach[i] = active ? 50 * Math.exp(1.4 * normal()) * star : random() < 0.02 ? 0.6 : 0;
    conversion[i] = 0.005 + 0.06 * random() ** 1.5;
    price[i] = 500 + Math.floor(9000 * random());
    quality[i] = Math.min(1, Math.max(0.5, 0.93 + 0.06 * normal()));
    drift[i] = random() < 0.3 ? 1 + 0.25 * normal() : 1;
  }
  const sumsWith = (factor: (i: number) => number) => {
    const sums = new Float64Array(n * LISTING_FIELD_COUNT);
    for (let i = 0; i < n; i++) {
      const visitors = Math.round(reach[i]! * Math.max(0, factor(i)));
      if (visitors === 0) continue;
      const at = i * LISTING_FIELD_COUNT;
      const orders = Math.round(visitors * conversion[i]!);
      const ratings = Math.round(orders * 0.55);
      sums[at + LF.impressions] = visitors * (4 + (i % 13));
      sums[at + LF.visitors] = visitors;
      // a few listings report more adds to cart than visitors (the rate caps it)
      sums[at + LF.addToCart] = Math.round(visitors * (i % 97 === 0 ? 1.3 : 0.04 + quality[i]! * 0.1));
      sums[at + LF.orders] = orders;
      sums[at + LF.buyers] = Math.round(orders * (0.85 + 0.15 * quality[i]!));
      sums[at + LF.gmvCents] = orders * price[i]!;
      sums[at + LF.ratings] = ratings;
      sums[at + LF.positiveRatings] = Math.round(ratings * quality[i]!);
      sums[at + LF.returns] = Math.round(orders * (1 - quality[i]!) * 0.5);
    }
    return sums;
  };
  const base = { listings, policy };
  const dayBefore: GrowthDay = { ...base, date: yesterday, sums: sumsWith(() => 1), runId: 'synthetic-before', inForce: () => NO_STATE };
  const stages: (ListingStageRecord | null)[] = new Array(n).fill(null);
  const incentives: ListingIncentiveRecord[][] = Array.from({ length: n }, () => []);
  const indexOf = (listingId: string) => Number(listingId.slice(2));
  for (const r of growthRecords(dayBefore)) {
    const i = indexOf(r.listingId);
    // the state in force has a history: stages entered and incentives granted up to 40 days before
    const back = i % 41;
    if (r.kind === 'listingStage') stages[i] = { ...r, since: addDays(r.since, -back) };
    else {
      const grantedOn = addDays(r.grantedOn, -back);
      incentives[i]!.push({ ...r, grantedOn, expiresOn: addDays(grantedOn, policy.growth.incentiveDays[r.stage]) });
    }
  }
  const states = stages.map((stage, i) => (stage === null && incentives[i]!.length === 0 ? NO_STATE : { stage, incentives: incentives[i]! }));
  const day: GrowthDay = {
    ...base,
    date,
    sums: sumsWith((i) => drift[i]!),
    runId: 'synthetic',
    inForce: (i) => states[i]!,
  };
  return { day, dayBefore };
}

export { syntheticGrowth };
export type { SyntheticGrowth, SyntheticGrowthOptions };
