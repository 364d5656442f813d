import { addDays, epochDay } from '../../lib/calendar';
import { ORDER_DERIVED_FIELDS, type MetricRow } from '../../lib/metrics';
import type { AppealDecisionInput, OrderFeedLine } from '../../lib/orderOutcomes';
import { prng } from './syntheticMarketplace';

interface SyntheticOrders {
  orders: unknown[];
  exclusions: unknown[];
}

/** The metric rows, with the order-derived fields of the sellers on the feed cleared from `since` on. */
function* rowsBesideFeed(rows: Iterable<MetricRow>, onFeed: ReadonlySet<string>, since: string): Generator<MetricRow> {
  for (const row of rows) {
    if (!onFeed.has(row.sellerId) || row.date < since) yield row;
    else {
      const cleared = { ...row };
      for (const f of ORDER_DERIVED_FIELDS) cleared[f] = 0;
      yield cleared;
    }
  }
}

/**
 * Moves some sellers from aggregate rows to the order feed from a date on (SPEC §3.4: each order
 * comes one way or the other): their closed orders become outcomes that reproduce the rows' counts,
 * with what a real feed carries — corrections (some moving the order a day), repeats, a few
 * conflicts and bad lines — and appeals, some reinstated. Deterministic.
 */
function syntheticOrders(rows: Iterable<MetricRow>, onFeed: ReadonlySet<string>, since: string, seed = 4242): SyntheticOrders {
  const r = prng(seed);
  const out: SyntheticOrders = { orders: [], exclusions: [] };
  let n = 0;
  for (const row of rows) {
    if (!onFeed.has(row.sellerId) || row.date < since) continue;
    const stars = (sum: number, count: number, i: number) => (i < count ? Math.max(1, Math.min(5, Math.round(sum / Math.max(1, count)))) : undefined);
    for (let i = 0; i < row.closedOrders; i++) {
      const bad = i < row.badExperienceOrders;
      const rated = i >= row.closedOrders - row.ratings;
      const positive = rated && i >= row.closedOrders - row.positiveRatings;
      const outcome: OrderFeedLine = {
        orderId: `so-${epochDay(row.date)}-${n++}`,
        sellerId: row.sellerId,
        closedOn: row.date,
        overallRating: rated ? (positive ? 5 : bad ? 2 : 4) : undefined,
        dsrDescription: stars(row.dsrDescriptionSum, row.dsrDescriptionCount, i),
        dsrCommunication: stars(row.dsrCommunicationSum, row.dsrCommunicationCount, i),
        dsrShipping: stars(row.dsrShippingSum, row.dsrShippingCount, i),
        unshippedBySeller: bad && !rated,
        arbitrated: i < row.sellerResponsibleArbitrations,
        sellerResponsible: i < row.sellerResponsibleArbitrations,
        disputeTimeout: bad && rated && !positive && r() < 0.2,
        notReceivedDisputeClosed: !bad && r() < 0.01,
        updatedAt: `${row.date}T18:00:00+08:00`,
      };
      out.orders.push(outcome);
      const roll = r();
      if (roll < 0.01)
        out.orders.push({ ...outcome }); // delivered twice
      else if (roll < 0.04) out.orders.push({ ...outcome, overallRating: 3, updatedAt: `${addDays(row.date, 2)}T09:30:00Z` });
      else if (roll < 0.05) out.orders.push({ ...outcome, closedOn: addDays(row.date, 1), updatedAt: `${addDays(row.date, 3)}T01:00:00-03:00` });
      else if (roll < 0.052) {
        out.orders.push({ ...outcome, overallRating: 1, updatedAt: `${addDays(row.date, 4)}T00:00:00Z` });
        out.orders.push({ ...outcome, overallRating: 4, updatedAt: `${addDays(row.date, 4)}T00:00:00Z` });
      }
      if (bad && r() < 0.05) {
        const appeal: AppealDecisionInput = {
          orderId: outcome.orderId,
          action: 'exclude',
          on: addDays(row.date, 7),
          by: 'ops-synthetic',
          reason: 'carrier strike',
        };
        out.exclusions.push(appeal);
        if (r() < 0.2) out.exclusions.push({ ...appeal, action: 'reinstate', on: addDays(row.date, 9), reason: 'appeal evidence rejected' });
      }
    }
  }
  const first = out.orders[0] as OrderFeedLine | undefined;
  if (first)
    out.orders.push(
      { ...first, orderId: 'so-unknown-seller', sellerId: 'no-such-seller' },
      { ...first, orderId: 'so-no-offset', updatedAt: '2026-08-01T00:00:00' },
    );
  return out;
}

export { rowsBesideFeed, syntheticOrders };
export type { SyntheticOrders };
