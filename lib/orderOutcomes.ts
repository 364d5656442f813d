import { z } from 'zod';
import { idSchema, TEXT_LIMITS } from './inputs';
import { emptyMetrics, type MetricValues } from './metrics';

/** A rating of 1–5 stars; `null` is read as an absent rating (SPEC §3.4). */
const star = z.preprocess((v) => (v === null ? undefined : v), z.number().int().min(1).max(5).optional());

/** An order's outcome when it closes (SPEC §3.4). */
const orderOutcomeSchema = z.object({
  orderId: idSchema('orderId'),
  sellerId: idSchema('sellerId'),
  closedOn: z.iso.date(),
  overallRating: star,
  dsrDescription: star,
  dsrCommunication: star,
  dsrShipping: star,
  unshippedBySeller: z.boolean(),
  arbitrated: z.boolean(),
  sellerResponsible: z.boolean(),
  disputeTimeout: z.boolean(),
  notReceivedDisputeClosed: z.boolean(),
});
type OrderOutcome = z.infer<typeof orderOutcomeSchema>;

/** A line of the order feed: an outcome and its version, `updatedAt`, an ISO-8601 instant with an offset. */
const orderFeedSchema = orderOutcomeSchema.extend({ updatedAt: z.iso.datetime({ offset: true }) });
type OrderFeedLine = z.infer<typeof orderFeedSchema>;

/** An appeal decision on one order (SPEC §3.4): exclude it from the seller's defects, or reinstate it. */
const appealDecisionSchema = z.object({
  orderId: idSchema('orderId'),
  action: z.enum(['exclude', 'reinstate']),
  on: z.iso.date(),
  by: z.string().min(1).max(TEXT_LIMITS.who, `must be at most ${TEXT_LIMITS.who} characters`),
  reason: z.string().min(1).max(TEXT_LIMITS.reason, `must be at most ${TEXT_LIMITS.reason} characters`),
});
type AppealDecisionInput = z.infer<typeof appealDecisionSchema>;

/** A decision as kept: `recorded` orders decisions of the same `on` (the later one recorded stands). */
interface AppealDecision extends AppealDecisionInput {
  recorded: string;
}

const OUTCOME_FIELDS = [
  'orderId',
  'sellerId',
  'closedOn',
  'overallRating',
  'dsrDescription',
  'dsrCommunication',
  'dsrShipping',
  'unshippedBySeller',
  'arbitrated',
  'sellerResponsible',
  'disputeTimeout',
  'notReceivedDisputeClosed',
] as const satisfies readonly (keyof OrderOutcome)[];

/** The outcome alone, its fields in one order and absent ratings left out: equal outcomes give equal text. */
function outcomeContent(o: OrderOutcome): string {
  const fields: Record<string, unknown> = {};
  for (const f of OUTCOME_FIELDS) if (o[f] !== undefined) fields[f] = o[f];
  return JSON.stringify(fields);
}

function outcomeOf(line: OrderFeedLine): OrderOutcome {
  const outcome = {} as Record<string, unknown>;
  for (const f of OUTCOME_FIELDS) if (line[f] !== undefined) outcome[f] = line[f];
  return outcome as OrderOutcome;
}

const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `updatedAt` as a sortable key of the instant it names, to the nanosecond: two writings of one
 * instant (`Z` and `+00:00`, `+08:00` eight hours later) give the same key.
 */
function instantKey(updatedAt: string): string {
  const m = INSTANT.exec(updatedAt);
  if (!m) throw new Error(`updatedAt ${updatedAt} is not an ISO-8601 date-time with an offset`);
  const seconds = Date.parse(`${m[1]}${m[3]!.toUpperCase()}`) / 1000;
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return `${String(seconds + 1e11).padStart(12, '0')}.${fraction}`;
}

/** One version of an order: every distinct outcome received with that `updatedAt` (two or more: a conflict). */
interface OrderVersion {
  instant: string;
  updatedAt: string;
  outcomes: OrderOutcome[];
}

/** What is known of one order: its versions and its appeal decisions. */
interface OrderHistory {
  versions: OrderVersion[];
  decisions: AppealDecision[];
}

const emptyHistory = (): OrderHistory => ({ versions: [], decisions: [] });

/**
 * Adds a received outcome to an order's history: `repeat` when that version already holds the same
 * outcome, `conflict` when it holds another one (SPEC §3.4), else `new`. Receiving a feed in any
 * order, any number of times, gives the same history up to the order of its lists.
 */
function receiveOutcome(history: OrderHistory, line: OrderFeedLine): 'new' | 'repeat' | 'conflict' {
  const instant = instantKey(line.updatedAt);
  const outcome = outcomeOf(line);
  const content = outcomeContent(outcome);
  const version = history.versions.find((v) => v.instant === instant);
  if (!version) {
    history.versions.push({ instant, updatedAt: line.updatedAt, outcomes: [outcome] });
    return 'new';
  }
  if (version.outcomes.some((o) => outcomeContent(o) === content)) return 'repeat';
  version.outcomes.push(outcome);
  return 'conflict';
}

/** The outcome that stands: that of the latest version without a conflict; `null` when there is none. */
function standingVersion(history: OrderHistory): OrderVersion | null {
  let best: OrderVersion | null = null;
  for (const v of history.versions) if (v.outcomes.length === 1 && (!best || v.instant > best.instant)) best = v;
  return best;
}

function conflictedVersions(history: OrderHistory): OrderVersion[] {
  return history.versions.filter((v) => v.outcomes.length > 1);
}

/** The decision in force: the latest `on`; of two on the same day, the later recorded. */
function decisionInForce(decisions: readonly AppealDecision[]): AppealDecision | null {
  let best: AppealDecision | null = null;
  for (const d of decisions) if (!best || d.on > best.on || (d.on === best.on && d.recorded > best.recorded)) best = d;
  return best;
}

const isExcluded = (history: OrderHistory): boolean => decisionInForce(history.decisions)?.action === 'exclude';

/** Ratings of an order closed through a "not received" dispute do not count, good or bad. */
function ratingsCount(o: OrderOutcome): boolean {
  return !o.notReceivedDisputeClosed;
}

/** The reasons an order is a bad-experience order; empty when it is not (SPEC §3.4, seed 004). */
function badExperienceReasons(o: OrderOutcome): string[] {
  const reasons: string[] = [];
  const counted = ratingsCount(o);
  if (counted && o.overallRating !== undefined && o.overallRating <= 3) reasons.push('overallRating <= 3');
  if (counted && o.dsrDescription !== undefined && o.dsrDescription <= 3) reasons.push('dsrDescription <= 3');
  if (counted && o.dsrCommunication !== undefined && o.dsrCommunication <= 3) reasons.push('dsrCommunication <= 3');
  if (counted && o.dsrShipping === 1) reasons.push('dsrShipping == 1');
  if (o.unshippedBySeller) reasons.push('unshippedBySeller');
  if (o.arbitrated) reasons.push('arbitrated');
  if (o.disputeTimeout) reasons.push('disputeTimeout');
  return reasons;
}

/**
 * The outcome's contribution to the daily metrics of its closing date. An excluded order (an
 * appeal upheld) still counts as closed, and as nothing else (SPEC §3.4 "Appeals").
 */
function outcomeContribution(o: OrderOutcome, excluded = false): Partial<MetricValues> {
  const c: Partial<MetricValues> = { closedOrders: 1 };
  if (excluded) return c;
  if (badExperienceReasons(o).length > 0) c.badExperienceOrders = 1;
  if (o.arbitrated && o.sellerResponsible) c.sellerResponsibleArbitrations = 1;
  if (ratingsCount(o)) {
    if (o.overallRating !== undefined) {
      c.ratings = 1;
      if (o.overallRating >= 4) c.positiveRatings = 1;
    }
    if (o.dsrDescription !== undefined) Object.assign(c, { dsrDescriptionSum: o.dsrDescription, dsrDescriptionCount: 1 });
    if (o.dsrCommunication !== undefined) Object.assign(c, { dsrCommunicationSum: o.dsrCommunication, dsrCommunicationCount: 1 });
    if (o.dsrShipping !== undefined) Object.assign(c, { dsrShippingSum: o.dsrShipping, dsrShippingCount: 1 });
  }
  return c;
}

/** Adds a contribution into a day's values. */
function addContribution(day: MetricValues, c: Partial<MetricValues>): void {
  for (const [field, v] of Object.entries(c) as [keyof MetricValues, number][]) day[field] += v;
}

/** What the drill-down shows of one order (SPEC §3.4 "Drill-down"). */
interface OrderView {
  orderId: string;
  sellerId: string;
  closedOn: string;
  updatedAt: string;
  /** counts as a bad-experience order: bad, and not excluded */
  badExperience: boolean;
  reasons: string[];
  excluded: boolean;
  decision: AppealDecision | null;
  outcome: OrderOutcome;
}

function orderView(history: OrderHistory): OrderView | null {
  const version = standingVersion(history);
  if (!version) return null;
  const outcome = version.outcomes[0]!;
  const reasons = badExperienceReasons(outcome);
  const excluded = isExcluded(history);
  return {
    orderId: outcome.orderId,
    sellerId: outcome.sellerId,
    closedOn: outcome.closedOn,
    updatedAt: version.updatedAt,
    badExperience: reasons.length > 0 && !excluded,
    reasons,
    excluded,
    decision: decisionInForce(history.decisions),
    outcome,
  };
}

/** An order as it stands: its standing outcome, and whether an appeal excluded it. */
type StandingOrder = Pick<OrderView, 'outcome' | 'excluded'>;

const sellerDayKey = (sellerId: string, date: string) => `${sellerId}|${date}`;

/**
 * Folds standing orders into per-seller, per-date metric values (`sellerDayKey`), exclusions
 * applied: the one fold of the offline jobs (orders from their histories) and of the store's
 * order blocks (orders as the index holds them).
 */
function foldStandingOrders(orders: Iterable<StandingOrder>): Map<string, MetricValues> {
  const folded = new Map<string, MetricValues>();
  for (const { outcome, excluded } of orders) {
    const key = sellerDayKey(outcome.sellerId, outcome.closedOn);
    let day = folded.get(key);
    if (!day) folded.set(key, (day = emptyMetrics()));
    addContribution(day, outcomeContribution(outcome, excluded));
  }
  return folded;
}

function* standingOrders(histories: Iterable<OrderHistory>): Generator<StandingOrder> {
  for (const h of histories) {
    const outcome = standingVersion(h)?.outcomes[0];
    if (outcome) yield { outcome, excluded: isExcluded(h) };
  }
}

/** Folds the standing outcomes of a set of orders' histories, as foldStandingOrders. */
function foldOrders(histories: Iterable<OrderHistory>): Map<string, MetricValues> {
  return foldStandingOrders(standingOrders(histories));
}

export {
  addContribution,
  appealDecisionSchema,
  badExperienceReasons,
  conflictedVersions,
  decisionInForce,
  emptyHistory,
  foldOrders,
  foldStandingOrders,
  instantKey,
  isExcluded,
  orderFeedSchema,
  orderOutcomeSchema,
  orderView,
  outcomeContent,
  outcomeContribution,
  ratingsCount,
  receiveOutcome,
  sellerDayKey,
  standingVersion,
};
export type { AppealDecision, AppealDecisionInput, OrderFeedLine, OrderHistory, OrderOutcome, OrderVersion, OrderView, StandingOrder };
