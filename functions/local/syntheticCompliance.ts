import { prng } from './syntheticMarketplace';
import type { Category } from '../../lib/inputs';

const MARKETS = ['DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE', 'US', 'JP'] as const;
const FLAG_SETS: Category['flags'][] = [[], ['electrical', 'batteries'], ['textiles'], ['childrens'], ['furniture'], ['childrens', 'batteries']];

/**
 * Compliance inputs for a marketplace (SPEC §7.5): flags on its categories, exposure of its sellers
 * to several markets (some rows superseded later, some zero), registrations with gaps, expiries and
 * ones not started yet, and a few lines that break the rules. Deterministic for a seed.
 */
function syntheticCompliance(categories: Category[], sellers: { sellerId: string; categoryId: string }[], seed = 3, asOf = '2026-06-01') {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const flagged = categories.map((c, i) => ({ ...c, flags: FLAG_SETS[i % FLAG_SETS.length] }));
  const exposure: Record<string, unknown>[] = [];
  const registrations: Record<string, unknown>[] = [];
  for (const s of sellers) {
    if (r() < 0.3) continue;
    const markets = new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(MARKETS)));
    for (const market of markets) {
      const listings = Math.floor(r() * 40);
      exposure.push({ sellerId: s.sellerId, categoryId: s.categoryId, market, activeListings: listings, asOf });
      if (r() < 0.2)
        exposure.push({ sellerId: s.sellerId, categoryId: s.categoryId, market, activeListings: r() < 0.5 ? 0 : listings + 5, asOf: '2026-07-10' });
      if (r() < 0.2) exposure.push({ sellerId: s.sellerId, categoryId: s.categoryId, market, activeListings: 99, asOf: '2026-09-01' });
      for (const [scheme, scope] of [
        ['epr', 'packaging'],
        ['epr', 'weee'],
        ['epr', 'batteries'],
        ['epr', 'textiles'],
        ['cpc', 'childrens'],
      ] as const) {
        const roll = r();
        if (roll < 0.35) continue; // a gap
        const validUntil = roll < 0.5 ? '2026-07-20' : roll < 0.6 ? '2026-08-05' : roll < 0.7 ? '2026-07-01' : null;
        const validFrom = roll > 0.95 ? '2026-08-01' : '2025-06-01';
        registrations.push({ sellerId: s.sellerId, scheme, market, scope, registrationId: `${scheme}-${market}-${s.sellerId}`, validFrom, validUntil });
      }
    }
  }
  const someone = sellers[0]!;
  exposure.push(
    { sellerId: someone.sellerId, categoryId: someone.categoryId, market: 'Germany', activeListings: 3, asOf },
    { sellerId: 'nobody', categoryId: someone.categoryId, market: 'DE', activeListings: 3, asOf },
    { sellerId: someone.sellerId, categoryId: 'no-such-category', market: 'DE', activeListings: 3, asOf },
  );
  registrations.push({
    sellerId: someone.sellerId,
    scheme: 'epr',
    market: 'DE',
    scope: 'packaging',
    registrationId: 'x',
    validFrom: '2026-05-01',
    validUntil: '2026-04-01',
  });
  return { categories: flagged, exposure, registrations };
}

export { syntheticCompliance };
