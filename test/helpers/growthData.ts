import { addDays } from '../../lib/calendar';

/**
 * A small marketplace with listings for the growth job (SPEC §3.5): categories big enough for
 * their own pools and one that falls back to its parent, listings that ramp up after launch (they
 * cross the hot line on different days), fade out (they turn dormant), are delisted, or sell
 * steadily, and a few stars (super-hot). Deterministic for a seed.
 */
function growthMarket(seed: number, range: { from: string; to: string }) {
  let state = seed >>> 0 || 1;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const categories = [
    { categoryId: 'c-home', parentId: 'p-living', name: 'Home' },
    { categoryId: 'c-garden', parentId: 'p-living', name: 'Garden' },
    { categoryId: 'c-toys', parentId: 'p-kids', name: 'Toys' },
    { categoryId: 'c-books', parentId: 'p-kids', name: 'Books' },
  ];
  const sizes: Record<string, number> = { 'c-home': 170, 'c-garden': 120, 'c-toys': 80, 'c-books': 24 };
  const sellers = Array.from({ length: 12 }, (_, i) => ({
    sellerId: `s-${String(i + 1).padStart(3, '0')}`,
    categoryId: categories[i % 4]!.categoryId,
    storeType: 'brand',
    openedOn: '2024-01-01',
  }));
  const days = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
  const listings: { listingId: string; sellerId: string; categoryId: string; listedOn: string; delistedOn?: string }[] = [];
  const rows: Record<string, string | number>[] = [];
  let n = 0;
  for (const c of categories)
    for (let k = 0; k < sizes[c.categoryId]!; k++) {
      const listingId = `l-${String(++n).padStart(4, '0')}`;
      // one seller lists far more than the others: its page is bounded
      const sellerId = sellers[rand() < 0.2 ? 0 : int(0, sellers.length - 1)]!.sellerId;
      const roll = rand();
      const profile = roll < 0.3 ? 'ramp' : roll < 0.45 ? 'fade' : roll < 0.5 ? 'delisted' : roll < 0.53 ? 'star' : 'steady';
      const listedOn = profile === 'ramp' ? addDays(range.from, int(10, 55)) : addDays(range.from, -int(100, 400));
      const delistedOn = profile === 'delisted' ? addDays(range.to, -int(2, 12)) : undefined;
      const lastSale = profile === 'fade' ? addDays(range.to, -int(30, 45)) : (delistedOn ?? range.to);
      const peak = profile === 'star' ? 14 + rand() * 6 : profile === 'ramp' ? 1 + rand() * 4 : rand() * 2;
      const picky = rand() < 0.2;
      listings.push({ listingId, sellerId, categoryId: c.categoryId, listedOn, ...(delistedOn ? { delistedOn } : {}) });
      for (let date = [listedOn, range.from].sort()[1]!; date <= lastSale; date = addDays(date, 1)) {
        const ramp = profile === 'ramp' ? Math.min(1, days(listedOn, date) / 30) : 1;
        const orders = Math.floor(peak * ramp + rand());
        const visitors = orders * int(8, 25) + int(0, 6);
        if (visitors === 0) continue;
        const ratings = Math.floor(orders * 0.5 + rand());
        rows.push({
          listingId,
          date,
          impressions: visitors * int(3, 9),
          visitors,
          addToCart: orders + int(0, 4),
          orders,
          buyers: orders > 0 && rand() < 0.1 ? orders - 1 : orders,
          gmvCents: orders * int(900, 4900),
          ratings,
          positiveRatings: picky ? Math.floor(ratings * 0.7) : ratings - (ratings > 0 && rand() < 0.05 ? 1 : 0),
          returns: orders > 0 && rand() < 0.08 ? 1 : 0,
        });
      }
    }
  return { categories, sellers, listings, rows };
}

export { growthMarket };
