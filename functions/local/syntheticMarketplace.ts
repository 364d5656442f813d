import { addDays, datesOf, epochDay, type DateWindow } from '../../lib/calendar';
import type { Category, GrantInput, SellerProfile } from '../../lib/inputs';
import type { MetricRow } from '../../lib/metrics';

/** A deterministic synthetic marketplace for `npm start`, the benchmarks and the tests. */
interface Marketplace {
  categories: Category[];
  sellers: SellerProfile[];
  grants: GrantInput[];
  /** the daily rows of every seller on one date, valid by construction */
  rowsOn(date: string): MetricRow[];
}

interface MarketplaceOptions {
  sellers?: number;
  /** the first date with metrics; stores open before or during the range */
  from: string;
  to: string;
  seed?: number;
}

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SellerTraits {
  openedDay: number;
  visitors: number;
  conversion: number;
  price: number;
  listings: number;
  quality: number;
  trendPerDay: number;
  campaignShare: number;
  markets: number;
  dormantFrom: number | null;
}

const PARENTS = ['home', 'fashion', 'electronics', 'beauty', 'sports', 'toys'];

/** Builds the marketplace: ~30 categories under 6 parents, a long tail of small categories, programs and grants. */
function syntheticMarketplace(options: MarketplaceOptions): Marketplace {
  const sellerCount = options.sellers ?? 1000;
  const random = prng(options.seed ?? 20260701);
  const categoryCount = Math.max(6, Math.round(30 * Math.sqrt(sellerCount / 1000)));
  const categories: Category[] = Array.from({ length: categoryCount }, (_, i) => ({
    categoryId: `c-${String(i + 1).padStart(2, '0')}`,
    parentId: `p-${PARENTS[i % PARENTS.length]}`,
    name: `${PARENTS[i % PARENTS.length]} ${Math.floor(i / PARENTS.length) + 1}`,
  }));
  // Zipf-like category sizes: a few big categories, a tail too small for their own pool.
  const categoryWeights = categories.map((_, i) => 1 / (i + 1) ** 0.9);
  const weightTotal = categoryWeights.reduce((a, b) => a + b, 0);
  const fromDay = epochDay(options.from);
  const toDay = epochDay(options.to);
  const sellers: SellerProfile[] = [];
  const traits: SellerTraits[] = [];
  const grants: GrantInput[] = [];
  for (let s = 0; s < sellerCount; s++) {
    let pick = random() * weightTotal;
    let c = 0;
    while (c < categories.length - 1 && (pick -= categoryWeights[c]!) > 0) c++;
    const sellerId = `s-${String(s + 1).padStart(5, '0')}`;
    // A fifth of the stores open during the range: the Good Seller candidates.
    const openedDay = random() < 0.2 ? fromDay + Math.floor(random() * (toDay - fromDay - 60)) : fromDay - 30 - Math.floor(random() * 1500);
    const openedOn = dateOf(openedDay);
    const size = Math.exp(normal(random) * 1.1);
    const quality = Math.min(1, Math.max(0, 0.72 + normal(random) * 0.14));
    const seller: SellerProfile = {
      sellerId,
      categoryId: categories[c]!.categoryId,
      storeType: (['official', 'brand', 'franchise'] as const)[s % 3]!,
      openedOn,
    };
    const roll = random();
    if (roll < 0.03) seller.mall = { since: options.from };
    else if (roll < 0.05) seller.jbp = { since: dateOf(fromDay + 120), until: dateOf(fromDay + 120 + 364) };
    else if (roll < 0.07) seller.styled = { since: dateOf(fromDay + 60) };
    sellers.push(seller);
    traits.push({
      openedDay,
      visitors: 120 * size,
      conversion: 0.012 + 0.04 * quality * random(),
      price: 1500 + Math.floor(random() * 7000),
      listings: 20 + Math.floor(random() * 400 * Math.sqrt(size)),
      quality,
      // improving, declining and steady sellers: ±60% over a year
      trendPerDay: ((random() - 0.5) * 1.2) / 365,
      campaignShare: 0.02 + 0.2 * random(),
      markets: 1 + Math.floor(random() * 25),
      dormantFrom: random() < 0.04 ? fromDay + Math.floor(random() * (toDay - fromDay)) : null,
    });
    if (openedDay > fromDay && random() < 0.5) {
      const appliedDay = openedDay + 45 + Math.floor(random() * 30);
      if (appliedDay + 5 < toDay) {
        grants.push({ sellerId, appliedOn: dateOf(appliedDay), approvedOn: dateOf(appliedDay + 5), approvedBy: 'ops-synthetic' });
      }
    }
  }

  function rowsOn(date: string): MetricRow[] {
    const day = epochDay(date);
    const dayRandom = prng((options.seed ?? 20260701) ^ Math.imul(day, 2654435761));
    const season = 1 + 0.25 * Math.sin((2 * Math.PI * (day % 365)) / 365) + (new Set([5, 6]).has((day + 4) % 7) ? 0.15 : 0);
    const rows: MetricRow[] = [];
    sellers.forEach((seller, s) => {
      const t = traits[s]!;
      if (day < t.openedDay || (t.dormantFrom !== null && day >= t.dormantFrom)) return;
      const r = dayRandom;
      const age = Math.min(1, (day - t.openedDay + 10) / 120);
      const trend = Math.max(0.2, 1 + t.trendPerDay * (day - fromDay));
      const visitors = poisson(r, t.visitors * season * trend * age);
      const orders = binomial(r, visitors, t.conversion);
      const quality = Math.min(1, Math.max(0, t.quality + (r() - 0.5) * 0.1));
      const closed = binomial(r, orders + 1, 0.95);
      const ratings = binomial(r, closed, 0.6);
      const positive = binomial(r, ratings, 0.8 + 0.2 * quality);
      const dsr = (count: number, mean: number) => {
        const sum = Math.min(5 * count, Math.max(count, Math.round(count * mean)));
        return [sum, count] as const;
      };
      const [dsrDescriptionSum, dsrDescriptionCount] = dsr(binomial(r, ratings, 0.9), 3.6 + 1.4 * quality);
      const [dsrCommunicationSum, dsrCommunicationCount] = dsr(binomial(r, ratings, 0.9), 3.5 + 1.5 * quality);
      const [dsrShippingSum, dsrShippingCount] = dsr(binomial(r, ratings, 0.9), 3.4 + 1.6 * quality);
      const bad = binomial(r, closed, 0.15 * (1 - quality) + 0.005);
      const messages = poisson(r, 2 + orders * 0.4);
      const delivered = binomial(r, orders, 0.9);
      const active = t.listings;
      rows.push({
        sellerId: seller.sellerId,
        date,
        orders,
        gmvCents: orders * t.price + Math.floor(r() * 100) * Math.min(orders, 1),
        visitors,
        productViews: visitors + poisson(r, visitors * 1.8),
        activeListings: active,
        listingsWithSales: binomial(r, active, 0.2 + 0.5 * quality),
        inStockListings: binomial(r, active, 0.85 + 0.15 * quality),
        campaignOrders: binomial(r, orders, t.campaignShare),
        marketsWithOrders: Math.min(orders, t.markets),
        trackingOnline72h: binomial(r, orders, 0.75 + 0.25 * quality),
        deliveredOrders: delivered,
        deliveryDaysSum: delivered * (8 + Math.floor(12 * (1 - quality))) + Math.floor(r() * 3) * Math.min(delivered, 1),
        unshippedPaidOrders: binomial(r, orders, 0.03 * (1 - quality)),
        messagesReceived: messages,
        messagesAnswered24h: binomial(r, messages, 0.7 + 0.3 * quality),
        disputesOpened: binomial(r, orders, 0.04 * (1 - quality)),
        repeatBuyerOrders: binomial(r, orders, 0.1 + 0.2 * quality),
        newFollowers: poisson(r, visitors * 0.01),
        closedOrders: closed,
        badExperienceOrders: bad,
        sellerResponsibleArbitrations: binomial(r, bad, 0.05),
        ratings,
        positiveRatings: positive,
        dsrDescriptionSum,
        dsrDescriptionCount,
        dsrCommunicationSum,
        dsrCommunicationCount,
        dsrShippingSum,
        dsrShippingCount,
      });
    });
    return rows;
  }

  return { categories, sellers, grants, rowsOn };
}

function dateOf(day: number): string {
  return addDays('1970-01-01', day);
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Poisson(λ): Knuth for small λ, a rounded normal for large. */
function poisson(random: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(random)));
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/** Binomial(n, p) approximated by a rounded normal, clamped to [0, n]. */
function binomial(random: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 20) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(random))));
}

/** Every row of the marketplace over a window, date by date. */
function* rowsOver(market: Marketplace, window: DateWindow): Generator<MetricRow> {
  for (const date of datesOf(window)) yield* market.rowsOn(date);
}

export { binomial, normal, poisson, prng, rowsOver, syntheticMarketplace };
export type { Marketplace, MarketplaceOptions };
