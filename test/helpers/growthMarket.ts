import { addDays, datesOf } from '../../lib/calendar';

/** A small seeded random source (mulberry32): the same seed gives the same marketplace. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GrowthMarket {
  categories: Record<string, unknown>[];
  sellers: Record<string, unknown>[];
  listings: Record<string, unknown>[];
  rows: Record<string, unknown>[];
}

/**
 * A marketplace of listings for the growth job: categories big enough for their own pool, small
 * ones that fall back to the parent's or the global pool, listings that launch, ramp up, fade,
 * sleep and are delisted, and a few busy enough to be hot or super-hot. Rows run over `from..to`.
 */
function growthMarket(options: { from: string; to: string; seed?: number }): GrowthMarket {
  const rnd = random(options.seed ?? 19);
  const categories = [
    { categoryId: 'shoes', parentId: 'fashion', name: 'Shoes' },
    { categoryId: 'bags', parentId: 'fashion', name: 'Bags' },
    { categoryId: 'hats', parentId: 'fashion', name: 'Hats' },
    { categoryId: 'phones', parentId: 'tech', name: 'Phones' },
    { categoryId: 'cables', parentId: 'tech', name: 'Cables' },
    { categoryId: 'lamps', parentId: 'home', name: 'Lamps' },
  ];
  const sizes: Record<string, number> = { shoes: 70, bags: 30, hats: 25, phones: 60, cables: 12, lamps: 8 };
  const sellers = Array.from({ length: 8 }, (_, s) => ({
    sellerId: `s${s}`,
    categoryId: categories[s % categories.length]!.categoryId,
    storeType: 'official',
    openedOn: '2024-01-01',
  }));
  const days = datesOf({ start: options.from, end: options.to });
  const listings: Record<string, unknown>[] = [];
  const rows: Record<string, unknown>[] = [];
  let n = 0;
  for (const c of categories) {
    for (let k = 0; k < sizes[c.categoryId]!; k++) {
      const listingId = `L${String(n++).padStart(4, '0')}`;
      const shape = rnd();
      // launched inside the range (new listings), or long before it
      const listedOn = shape < 0.25 ? days[Math.floor(rnd() * (days.length - 5))]! : '2025-06-01';
      const delistedOn = shape > 0.93 ? days[Math.floor(days.length * 0.5 + rnd() * days.length * 0.45)]! : null;
      const dormant = shape > 0.85 && shape <= 0.93;
      // orders a day: most listings a few, some tens, one in forty hundreds
      const base = rnd() < 0.025 ? 14 + rnd() * 10 : rnd() < 0.2 ? 1.5 + rnd() * 2 : rnd() * 0.6;
      const ramp = rnd() < 0.3 ? 1 + rnd() * 2 : 1;
      listings.push({ listingId, sellerId: sellers[n % sellers.length]!.sellerId, categoryId: c.categoryId, listedOn, delistedOn });
      days.forEach((date, d) => {
        if (date < listedOn || (delistedOn && date > delistedOn)) return;
        if (dormant && d > days.length - 40) return;
        if (rnd() < 0.3) return;
        const orders = Math.round(base * (1 + ((ramp - 1) * d) / days.length) * (0.5 + rnd()));
        const visitors = orders * 8 + Math.round(rnd() * 30);
        const ratings = Math.round(orders * 0.4);
        rows.push({
          listingId,
          date,
          impressions: visitors * 5 + Math.round(rnd() * 100),
          visitors,
          addToCart: orders * 2 + Math.round(rnd() * 4),
          orders,
          buyers: orders - Math.round(orders * 0.1 * rnd()),
          gmvCents: orders * (1500 + Math.round(rnd() * 4000)),
          ratings,
          positiveRatings: ratings - Math.round(ratings * 0.12 * rnd()),
          returns: Math.round(orders * 0.05 * rnd()),
        });
      });
    }
  }
  return { categories, sellers, listings, rows };
}

/** Invalid lines of every listing kind of SPEC §3.5, dated in `from..to` (inside every window a test runs). */
function dirtyListingLines(market: GrowthMarket, from: string, to: string): { listings: unknown[]; rows: unknown[]; text: string } {
  const date = to;
  const listed = market.listings.find((l) => l.listedOn === '2025-06-01' && l.delistedOn === null)!;
  const late = market.listings.find((l) => (l.listedOn as string) > from && (l.listedOn as string) <= to)!;
  const delisted = market.listings.find((l) => l.delistedOn !== null && (l.delistedOn as string) >= from && (l.delistedOn as string) < to)!;
  if (!late || !delisted) throw new Error("growthMarket: no listing launched or delisted inside the dirty lines' dates");
  const row = (listingId: unknown, on: string, extra: Record<string, unknown> = {}) => ({
    listingId,
    date: on,
    impressions: 100,
    visitors: 10,
    addToCart: 3,
    orders: 2,
    buyers: 2,
    gmvCents: 5000,
    ratings: 1,
    positiveRatings: 1,
    returns: 0,
    ...extra,
  });
  const first = market.rows.find((r) => r.date === date)!;
  return {
    listings: [
      { ...listed, sellerId: 'nobody' },
      { listingId: 'Lbad', sellerId: 's1', categoryId: 'shoes', listedOn: '2026-02-30' },
      { listingId: 'Lcat', sellerId: 's1', categoryId: 'nowhere', listedOn: '2026-01-01' },
      { listingId: 'Lrev', sellerId: 's1', categoryId: 'shoes', listedOn: '2026-03-02', delistedOn: '2026-03-01' },
    ],
    rows: [
      row('Lunknown', date),
      row(late.listingId, addDays(late.listedOn as string, -1)),
      row(delisted.listingId, addDays(delisted.delistedOn as string, 1)),
      // the first row of a key stands: the generated one comes first when there is one
      { ...first, orders: 999, buyers: 1 },
      row(listed.listingId, addDays(date, -1), { visitors: 500 }),
      row(listed.listingId, addDays(date, -2), { orders: -1 }),
      row(listed.listingId, addDays(date, -3), { gmvCents: 1.5 }),
      row(listed.listingId, addDays(date, -4), { returns: undefined }),
      row('bad id!', date),
    ],
    text: 'not json\n',
  };
}

export { dirtyListingLines, growthMarket };
export type { GrowthMarket };
