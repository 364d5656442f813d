import { emptyMetrics, type MetricValues } from '../../lib/metrics';
import type { OrderFeed } from '../../lib/orderFeed';
import { conflictReason } from '../../lib/orderFeed';
import {
  conflictedVersions,
  decisionInForce,
  emptyHistory,
  foldStandingOrders,
  orderView,
  receiveOutcome,
  sellerDayKey,
  type AppealDecision,
  type OrderHistory,
  type OrderVersion,
} from '../../lib/orderOutcomes';
import type { QuarantineRecord } from '../../lib/records';
import { mapLimit } from '../data/batch';
import { withLease, type Holder } from '../data/lease';
import { orderBlockOf } from '../data/metricsRepository';
import { OrdersRepository, type PendingDay } from '../data/ordersRepository';
import { ReferenceRepository } from '../data/referenceRepository';
import type { Store } from '../data/store';
import { rebuildBlock } from './rebuildBlock';

interface OrderIngestSummary {
  /** valid outcome lines read */
  outcomes: number;
  /** outcomes already held: a feed delivered again */
  repeats: number;
  /** orders whose standing outcome was replaced by a later version */
  corrected: number;
  /** of those, orders that moved to another seller or closing date */
  moved: number;
  /** versions with two different outcomes, quarantined */
  conflicts: number;
  /** appeal decisions new to the store */
  decisions: number;
  /** orders excluded (the decision in force) among those the delivery changed */
  excluded: number;
}

const orderViewOf = (v: OrderVersion) => ({ sellerId: v.outcomes[0]!.sellerId, closedOn: v.outcomes[0]!.closedOn });

const sameDecision = (a: AppealDecision, b: AppealDecision) => a.action === b.action && a.on === b.on && a.by === b.by && a.reason === b.reason;

/** Drops a decision that a later-recorded identical one follows: it can never be the one in force. */
function compact(decisions: AppealDecision[]): AppealDecision[] {
  return decisions.filter((d) => !decisions.some((e) => e !== d && sameDecision(d, e) && e.recorded > d.recorded));
}

/**
 * Merges a delivery of the order feed (already read through the input boundary) into the stored
 * histories (SPEC §3.4). The seller-days an order leaves or joins are marked before its history is
 * written, so a delivery that dies part-way and is delivered again loses no change; the same
 * delivery twice, or deliveries in any order, end in the same histories. Conflicts formed with a
 * stored version are quarantined through `quarantine`; `beforeWrite` runs once everything is judged
 * and before anything is written. Hold the orders lock.
 */
async function storeOrderFeed(
  store: Store,
  feed: OrderFeed,
  now: string,
  quarantine: (r: QuarantineRecord) => void,
  beforeWrite: () => Promise<void> = async () => {},
): Promise<OrderIngestSummary> {
  const orders = new OrdersRepository(store);
  const summary: OrderIngestSummary = { outcomes: feed.outcomesRead, repeats: feed.repeats, corrected: 0, moved: 0, conflicts: 0, decisions: 0, excluded: 0 };
  const stored = await orders.histories([...feed.histories.keys()]);
  const changed = new Map<string, OrderHistory>();
  const merges = new Map<string, OrderHistory>();
  const marks: { sellerId: string; date: string }[] = [];
  for (const [orderId, incoming] of feed.histories) {
    const before = stored.get(orderId) ?? emptyHistory();
    const merged: OrderHistory = structuredClone(before);
    merges.set(orderId, merged);
    let differs = false;
    for (const v of incoming.versions) {
      for (const o of v.outcomes) {
        const received = receiveOutcome(merged, { ...o, updatedAt: v.updatedAt });
        if (received === 'repeat' && stored.has(orderId)) summary.repeats++;
        differs ||= received !== 'repeat';
      }
    }
    for (const d of compact(incoming.decisions)) {
      if (merged.decisions.some((e) => sameDecision(d, e))) continue;
      merged.decisions.push(d);
      summary.decisions++;
      differs = true;
    }
    for (const v of conflictedVersions(merged)) {
      summary.conflicts++;
      // a conflict with a stored version: the stored outcome is quarantined when the conflict forms,
      // not again on every delivery of the same lines (those carry their own line keys)
      const formedNow = before.versions.some((b) => b.instant === v.instant) && !conflictedVersions(before).some((b) => b.instant === v.instant);
      if (formedNow) {
        quarantine({ kind: 'quarantine', source: 'orders', key: { orderId, updatedAt: v.updatedAt }, reason: conflictReason(orderId, v.updatedAt) });
      }
    }
    if (!differs) continue;
    const [was, now_] = [orderView(before), orderView(merged)];
    // corrected: the standing outcome replaces an earlier version, stored or in this delivery
    const first = [...merged.versions].filter((v) => v.outcomes.length === 1).sort((a, b) => (a.instant < b.instant ? -1 : 1))[0];
    const replaced = was && was.updatedAt !== now_?.updatedAt ? was : first && now_ && first.updatedAt !== now_.updatedAt ? orderViewOf(first) : null;
    if (replaced && now_) {
      summary.corrected++;
      if (replaced.sellerId !== now_.sellerId || replaced.closedOn !== now_.closedOn) summary.moved++;
    }
    if (decisionInForce(merged.decisions)?.action === 'exclude') summary.excluded++;
    if (was) marks.push({ sellerId: was.sellerId, date: was.closedOn });
    if (now_) marks.push({ sellerId: now_.sellerId, date: now_.closedOn });
    changed.set(orderId, merged);
  }
  feed.quarantineConflicts(merges);
  await beforeWrite();
  await orders.mark(marks, now);
  await orders.put(changed);
  return summary;
}

/**
 * Folds the marked seller-days into the order blocks the jobs read (SPEC §3.4): each day's
 * totals are recomputed from its standing orders, so folding twice, or after a crash, gives the
 * same blocks. A mark is cleared once it is `settleSeconds` old: an index that lagged its table
 * (AWS's are eventually consistent) is read again by the next fold. Hold the orders lock.
 */
async function foldPendingOrders(store: Store, options: { now: string; settleSeconds?: number }): Promise<{ sellerDays: number; blocks: number }> {
  const orders = new OrdersRepository(store);
  const since = await orders.pendingSince();
  const pending = await orders.pending();
  if (pending.length === 0) {
    if (since) await orders.clearPendingFlag(since);
    return { sellerDays: 0, blocks: 0 };
  }
  const reference = new ReferenceRepository(store);
  const sellers = await reference.sellers();
  const placeOf = new Map(sellers.map((s) => [s.sellerId, s]));
  const slotsOf = new Map<string, number>();
  for (const s of sellers) slotsOf.set(s.block, Math.max(slotsOf.get(s.block) ?? 0, s.slot + 1));
  const byBlock = new Map<string, Map<string, [number, MetricValues][]>>();
  const daysOf = new Map<string, Set<string>>();
  for (const d of pending) (daysOf.get(d.sellerId) ?? daysOf.set(d.sellerId, new Set()).get(d.sellerId)!).add(d.date);
  // one index query per seller over the span of its marked days, not one per day
  await mapLimit([...daysOf], 16, async ([sellerId, dates]) => {
    const seller = placeOf.get(sellerId);
    if (!seller) return;
    const sorted = [...dates].sort();
    const folded = foldStandingOrders(await orders.closedBetween(sellerId, sorted[0]!, sorted[sorted.length - 1]!));
    let blockDates = byBlock.get(seller.block);
    if (!blockDates) byBlock.set(seller.block, (blockDates = new Map()));
    for (const date of sorted) {
      const day = folded.get(sellerDayKey(sellerId, date)) ?? emptyMetrics();
      const list = blockDates.get(date);
      if (list) list.push([seller.slot, day]);
      else blockDates.set(date, [[seller.slot, day]]);
    }
  });
  await mapLimit([...byBlock], 4, ([block, rows]) => rebuildBlock(store, orderBlockOf(block), slotsOf.get(block)!, rows));
  const settled = Date.parse(options.now) - (options.settleSeconds ?? 0) * 1000;
  const done = pending.filter((d: PendingDay) => Date.parse(d.markedAt) <= settled);
  await orders.clear(done);
  if (since && done.length === pending.length) await orders.clearPendingFlag(since);
  await reference.bumpRevision();
  return { sellerDays: pending.length, blocks: byBlock.size };
}

/**
 * Runs `work` holding the orders lock: every writer of orders and order blocks (imports, the
 * fold before a run, appeals) takes it, so they never interleave. A holder that died frees it
 * when its lease runs out; the lease is renewed while `work` runs.
 */
async function withOrdersLock<T>(
  store: Store,
  owner: string,
  work: () => Promise<T>,
  options: { leaseSeconds?: number; waitSeconds?: number } = {},
): Promise<T> {
  const leaseMs = (options.leaseSeconds ?? Number(process.env.GRADER_RUN_LEASE_SECONDS ?? 120)) * 1000;
  const times = { leaseMs, waitMs: (options.waitSeconds ?? leaseMs / 1000 + 30) * 1000, pollMs: () => 200 };
  const busy = (holder: Holder) => new Error(`the orders lock is held by ${holder.owner || 'nobody'} until ${holder.leaseUntil || '-'}; try again later`);
  return withLease(new OrdersRepository(store).lease(), owner, times, busy, work);
}

/** Folds whatever order changes are pending, under the lock; what every run does before it reads its windows. */
async function foldOrdersBeforeRun(store: Store, owner: string, now: string): Promise<{ sellerDays: number; blocks: number }> {
  const orders = new OrdersRepository(store);
  if ((await orders.pendingSince()) === null) return { sellerDays: 0, blocks: 0 };
  return withOrdersLock(store, owner, () => foldPendingOrders(store, { now, settleSeconds: settleSeconds() }));
}

/** How old a mark must be before a fold clears it: the index's lag in AWS; none on DynamoDB Local. */
function settleSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.GRADER_ORDER_SETTLE_SECONDS ?? 0);
}

export { foldOrdersBeforeRun, foldPendingOrders, settleSeconds, storeOrderFeed, withOrdersLock };
export type { OrderIngestSummary };
