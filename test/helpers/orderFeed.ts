import { addDays, datesOf } from '../../lib/calendar';
import { ORDER_DERIVED_FIELDS, type MetricRow } from '../../lib/metrics';
import { prng } from '../../functions/local/syntheticMarketplace';

type Line = Record<string, unknown>;

/**
 * A feed of order outcomes for some sellers over a window, with what real feeds carry: corrections
 * (some moving the order to another day or seller), identical repeats, conflicts, not-received
 * orders, offsets other than Z, null ratings, and lines that break the rules; and appeal decisions
 * (exclusions, reinstatements, one for an order never received). Deterministic for a seed.
 */
function orderFeed(sellers: string[], window: { start: string; end: string }, seed = 11, perDay = 2) {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const star = () => (r() < 0.15 ? null : r() < 0.2 ? 1 + Math.floor(r() * 3) : 4 + Math.floor(r() * 2));
  const orders: Line[] = [];
  const exclusions: Line[] = [];
  let n = 0;
  for (const date of datesOf(window)) {
    for (const sellerId of sellers) {
      for (let k = Math.floor(r() * (2 * perDay + 1)); k > 0; k--) {
        const orderId = `o-${seed}-${n++}`;
        const base: Line = {
          orderId,
          sellerId,
          closedOn: date,
          overallRating: star(),
          dsrDescription: star(),
          dsrCommunication: star(),
          dsrShipping: r() < 0.05 ? 1 : star(),
          unshippedBySeller: r() < 0.02,
          arbitrated: r() < 0.02,
          sellerResponsible: r() < 0.5,
          disputeTimeout: r() < 0.01,
          notReceivedDisputeClosed: r() < 0.03,
          updatedAt: `${date}T10:00:00+08:00`,
        };
        if (base.overallRating === null && r() < 0.5) delete base.overallRating;
        orders.push(base);
        const roll = r();
        if (roll < 0.05)
          orders.push({ ...base, updatedAt: `${date}T02:00:00Z` }); // the same instant written in UTC: a repeat
        else if (roll < 0.1) orders.push({ ...base, overallRating: 5, updatedAt: `${addDays(date, 3)}T00:00:00Z` });
        else if (roll < 0.13) {
          // a correction that moves the order to another day, inside or outside the window
          const moved = addDays(date, Math.floor(r() * 11) - 5);
          if (moved <= window.end) orders.push({ ...base, closedOn: moved, updatedAt: `${addDays(date, 5)}T00:00:00-05:00` });
        } else if (roll < 0.15) orders.push({ ...base, sellerId: pick(sellers), updatedAt: `${addDays(date, 6)}T00:00:00Z` });
        else if (roll < 0.16) {
          // a conflict on the correction: the order stands at its first version
          orders.push({ ...base, overallRating: 1, updatedAt: `${addDays(date, 2)}T00:00:00Z` });
          orders.push({ ...base, overallRating: 2, updatedAt: `${addDays(date, 2)}T00:00:00Z` });
        } else if (roll < 0.165) {
          // a conflict on the only version: as if never received
          orders.pop();
          orders.push({ ...base, arbitrated: true }, { ...base, arbitrated: false, disputeTimeout: true });
        }
        const appeal = r();
        if (appeal < 0.03) exclusions.push({ orderId, action: 'exclude', on: addDays(date, 10), by: 'ops-li', reason: 'carrier strike' });
        if (appeal < 0.01) exclusions.push({ orderId, action: 'reinstate', on: addDays(date, 12), by: 'ops-wu', reason: 'evidence was forged' });
      }
    }
  }
  // lines that break the rules of SPEC §3.4
  const any = orders[0]!;
  orders.push(
    { ...any, orderId: 'o-unknown-seller', sellerId: 'nobody' },
    { ...any, orderId: 'o-no-offset', updatedAt: '2026-01-01T00:00:00' },
    { ...any, orderId: 'o-bad-rating', overallRating: 6 },
    { ...any, orderId: 'o-future', closedOn: '2099-01-01' },
    { ...any, orderId: 'bad id!' },
  );
  exclusions.push(
    { orderId: 'o-never-received', action: 'exclude', on: window.end, by: 'ops-li', reason: 'kept until it arrives' },
    { orderId: any.orderId, action: 'forgive', on: window.end, by: 'ops-li', reason: 'not an action' },
  );
  return { orders, exclusions };
}

/** The rows with their order-derived fields cleared: a source sends each order either in rows or as an outcome (SPEC §3.4). */
function withoutOrderFields(rows: MetricRow[], sellers: ReadonlySet<string>): MetricRow[] {
  return rows.map((row) => (sellers.has(row.sellerId) ? { ...row, ...Object.fromEntries(ORDER_DERIVED_FIELDS.map((f) => [f, 0])) } : row));
}

export { orderFeed, withoutOrderFields };
