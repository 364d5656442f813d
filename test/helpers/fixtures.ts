import { importData } from '../../functions/jobs/importData';
import { rowsOver, syntheticMarketplace, type Marketplace } from '../../functions/local/syntheticMarketplace';
import type { Store } from '../../functions/data/store';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { MetricRow } from '../../lib/metrics';

/** A small deterministic marketplace: enough sellers for category, parent and global pools. */
function smallMarket(sellers = 150, from = '2026-01-01', to = '2026-07-31', seed = 7): { market: Marketplace; rows: MetricRow[]; from: string; to: string } {
  const market = syntheticMarketplace({ sellers, from, to, seed });
  return { market, rows: [...rowsOver(market, { start: from, end: to })], from, to };
}

async function importMarket(store: Store, m: { market: Marketplace; rows: unknown[] }, extraRows: unknown[] = []) {
  return importData(
    store,
    { categories: m.market.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: [...m.rows, ...extraRows] },
    {
      policy: DEFAULT_POLICY,
      importId: 'fixture',
      now: '2026-08-01T00:00:00Z',
    },
  );
}

export { importMarket, smallMarket };
