import { addDays, datesOf, epochDay, type DateWindow } from '../../lib/calendar';
import type { Listing, ListingMetricRow } from '../../lib/listings';
import { binomial, normal, poisson, prng, type Marketplace } from './syntheticMarketplace';

/**
 * The listings of the synthetic marketplace with life-cycle curves (SPEC §3.5, §7.6): a catalogue
 * listed before the range and launches through it, each ramping up to a peak and fading, some with
 * dormant stretches, some delisted, and a few super-hot listings in the big categories.
 * Deterministic from the seed; the rows obey §3.5 by construction.
 */
interface SyntheticListings {
  listings: Listing[];
  /** the rows of every listing on one date; a listing without activity that day has no row */
  rowsOn(date: string): ListingMetricRow[];
}

interface SyntheticListingsOptions {
  from: string;
  to: string;
  seed?: number;
  /** the mean number of listings per seller */
  perSeller?: number;
}

interface Curve {
  listedDay: number;
  /** the last listed day, or null */
  delistedDay: number | null;
  /** expected visitors a day at the peak */
  peak: number;
  rampDays: number;
  /** the day the fade starts, and its half-life in days */
  fadeFrom: number;
  halfLife: number;
  /** from this day on the listing gets no traffic */
  deadFrom: number;
  /** the days without any activity: [start, end) */
  dormantFrom: number;
  dormantUntil: number;
  conversion: number;
  addToCart: number;
  quality: number;
  returns: number;
  priceCents: number;
}

/** How many of the marketplace's categories count as big: super-hot listings are drawn there. */
const BIG_CATEGORIES = 3;

function syntheticListings(market: Pick<Marketplace, 'categories' | 'sellers'>, options: SyntheticListingsOptions): SyntheticListings {
  const seed = options.seed ?? 20260719;
  const random = prng(seed);
  const perSeller = options.perSeller ?? 30;
  const fromDay = epochDay(options.from);
  const toDay = epochDay(options.to);
  const span = toDay - fromDay + 1;
  const siblings = new Map<string, string[]>();
  for (const c of market.categories) siblings.set(c.parentId, [...(siblings.get(c.parentId) ?? []), c.categoryId]);
  const parentOf = new Map(market.categories.map((c) => [c.categoryId, c.parentId]));
  const big = new Set(market.categories.slice(0, BIG_CATEGORIES).map((c) => c.categoryId));
  const listings: Listing[] = [];
  const curves: Curve[] = [];
  for (const seller of market.sellers) {
    const opened = Math.max(epochDay(seller.openedOn), fromDay - 700);
    const count = Math.max(1, Math.round(perSeller * (0.4 + 1.2 * random())));
    const sellerQuality = 0.9 + 0.09 * random();
    for (let k = 0; k < count; k++) {
      // most listings sit in the seller's category, some in a sibling or anywhere
      const roll = random();
      const family = siblings.get(parentOf.get(seller.categoryId) ?? '') ?? [seller.categoryId];
      const categoryId =
        roll < 0.75
          ? seller.categoryId
          : roll < 0.95
            ? family[Math.floor(random() * family.length)]!
            : market.categories[Math.floor(random() * market.categories.length)]!.categoryId;
      // a third of the catalogue was listed before the range; the rest launches through it
      const listedDay =
        random() < 0.35 ? opened + Math.floor(random() * Math.max(1, fromDay - opened)) : Math.max(opened, fromDay + Math.floor(random() * (span - 1)));
      const superHot = big.has(categoryId) && random() < 0.006;
      // a third of launches never take off: a visitor now and then, active in few windows
      const dud = random() < 0.3;
      const peak = superHot ? 250 + 400 * random() : dud ? 0.005 : 0.2 + 2.5 * Math.exp(1.3 * normal(random));
      const rampDays = 5 + Math.floor(random() * 50);
      const fadeFrom = listedDay + rampDays + Math.floor(random() * (superHot ? 240 : 120));
      const halfLife = 15 + random() * 90;
      const dormant = random() < 0.3;
      const dormantFrom = dormant ? listedDay + rampDays + Math.floor(random() * 200) : Number.POSITIVE_INFINITY;
      const delisted = random() < 0.15 ? fadeFrom + 30 + Math.floor(random() * 200) : null;
      const listingId = `${seller.sellerId}-l${String(k + 1).padStart(3, '0')}`;
      const delistedDay = delisted !== null && delisted <= toDay ? delisted : null;
      listings.push({
        listingId,
        sellerId: seller.sellerId,
        categoryId,
        listedOn: dateOf(listedDay),
        delistedOn: delistedDay === null ? null : dateOf(delistedDay),
      });
      curves.push({
        listedDay,
        delistedDay,
        peak,
        rampDays,
        fadeFrom,
        halfLife,
        // a faded listing stays listed without traffic
        deadFrom: superHot ? Number.POSITIVE_INFINITY : fadeFrom + Math.floor(halfLife * (0.5 + 2 * random())),
        dormantFrom,
        dormantUntil: dormantFrom + 35 + Math.floor(random() * 60),
        conversion: (superHot ? 0.05 : 0.01) + 0.05 * random(),
        addToCart: 0.05 + 0.15 * random(),
        quality: Math.min(1, sellerQuality + 0.04 * normal(random)),
        returns: 0.01 + 0.06 * random(),
        priceCents: 500 + Math.floor(random() * 8000),
      });
    }
  }

  function rowsOn(date: string): ListingMetricRow[] {
    const day = epochDay(date);
    const r = prng(seed ^ Math.imul(day, 2654435761));
    const season = 1 + 0.2 * Math.sin((2 * Math.PI * (day % 365)) / 365);
    const rows: ListingMetricRow[] = [];
    for (let i = 0; i < listings.length; i++) {
      const c = curves[i]!;
      if (day < c.listedDay || (c.delistedDay !== null && day > c.delistedDay) || (day >= c.dormantFrom && day < c.dormantUntil) || day >= c.deadFrom) continue;
      const age = day - c.listedDay;
      const ramp = Math.min(1, (age + 1) / c.rampDays);
      const fade = day > c.fadeFrom ? 0.5 ** ((day - c.fadeFrom) / c.halfLife) : 1;
      const visitors = poisson(r, c.peak * ramp * fade * season);
      if (visitors === 0) continue;
      const orders = binomial(r, visitors, c.conversion);
      const ratings = binomial(r, orders, 0.5);
      rows.push({
        listingId: listings[i]!.listingId,
        date,
        impressions: visitors + poisson(r, visitors * 8),
        visitors,
        addToCart: binomial(r, visitors, c.addToCart),
        orders,
        buyers: binomial(r, orders, 0.93),
        gmvCents: orders * c.priceCents,
        ratings,
        positiveRatings: binomial(r, ratings, c.quality),
        returns: binomial(r, orders, c.returns),
      });
    }
    return rows;
  }

  return { listings, rowsOn };
}

/** Every listing row over a window, date by date. */
function* listingRowsOver(synthetic: SyntheticListings, window: DateWindow): Generator<ListingMetricRow> {
  for (const date of datesOf(window)) yield* synthetic.rowsOn(date);
}

function dateOf(day: number): string {
  return addDays('1970-01-01', day);
}

export { listingRowsOver, syntheticListings };
export type { SyntheticListings, SyntheticListingsOptions };
