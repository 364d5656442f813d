import { addMonths, monthOf } from '../../lib/calendar';
import type { Policy } from '../../lib/policy';
import type { Store } from '../data/store';
import { importData, type ImportSummary } from '../jobs/importData';
import { eventTap } from './eventTap';
import { simulate, type FiredRun, type SimulateOptions } from './simulate';
import { syntheticCompliance } from './syntheticCompliance';
import { listingRowsOver, syntheticListings } from './syntheticListings';
import { rowsOver, syntheticMarketplace } from './syntheticMarketplace';
import { rowsBesideFeed, syntheticOrders } from './syntheticOrders';

/** The year `npm start` simulates: its synthetic marketplace's size and the business dates fired. */
interface StartYear {
  sellers: number;
  listingsPerSeller: number;
  from: string;
  to: string;
}

/** The metrics start two months before the first fired day: the growth job's first window reaches 30 days back. */
const metricsFromOf = (year: StartYear) => `${addMonths(monthOf(year.from), -2)}-01`;

/**
 * Imports `npm start`'s deterministic synthetic marketplace into `store`: sellers, 14 months of
 * metrics, an order feed, compliance and listings.
 */
async function importStartYear(
  store: Store,
  year: StartYear,
  options: { policy: Policy; now: string; onRows?: (n: number) => void },
): Promise<{ summary: ImportSummary; onFeed: Set<string>; feedFrom: string; metricsFrom: string }> {
  const { sellers, listingsPerSeller, from, to } = year;
  const metricsFrom = metricsFromOf(year);
  const market = syntheticMarketplace({ sellers, from: metricsFrom, to });
  // one seller in 25 sends its orders as outcomes for the last two months (SPEC §3.4); more would
  // cost DynamoDB Local ~1 s per 1,000 outcomes of the import (npm run bench:orders)
  const onFeed = new Set(market.sellers.filter((_, i) => i % 25 === 4).map((s) => s.sellerId));
  const feedFrom = `${addMonths(monthOf(to), -1)}-01`;
  const feed = syntheticOrders(rowsOver(market, { start: feedFrom, end: to }), onFeed, feedFrom);
  // category flags, exposure to several markets, registrations with gaps and expiries (SPEC §7.5)
  const compliance = syntheticCompliance(market.categories, market.sellers, 7, `${addMonths(monthOf(from), 1)}-01`);
  const listed = syntheticListings(market, { from: metricsFrom, to, perSeller: listingsPerSeller });
  const summary = await importData(
    store,
    {
      categories: compliance.categories,
      exposure: compliance.exposure,
      registrations: compliance.registrations,
      sellers: market.sellers,
      grants: market.grants,
      metrics: rowsBesideFeed(rowsOver(market, { start: metricsFrom, end: to }), onFeed, feedFrom),
      orders: feed.orders,
      exclusions: feed.exclusions,
      listings: listed.listings,
      listingMetrics: listingRowsOver(listed, { start: metricsFrom, end: to }),
    },
    { policy: options.policy, importId: 'synthetic', now: options.now, ...(options.onRows ? { onRows: options.onRows } : {}) },
  );
  return { summary, onFeed, feedFrom, metricsFrom };
}

/** Fires every schedule of the year through the real handlers, counting the change events its writes publish. */
async function simulateStartYear(
  store: Store,
  year: StartYear,
  options: { policy: Policy; now: () => string; onRun?: (run: FiredRun) => void; simulate?: SimulateOptions },
) {
  const tap = eventTap(store);
  const { runs, queue } = await simulate(
    { from: year.from, to: year.to },
    { store: tap.store, policy: options.policy, now: options.now },
    options.onRun,
    options.simulate,
  );
  return { runs, queue, tap };
}

export { importStartYear, metricsFromOf, simulateStartYear };
export type { StartYear };
