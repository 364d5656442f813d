import { z } from 'zod';
import { emptyMetrics, type MetricValues } from './metrics';

const star = z.number().int().min(1).max(5);

/** An order's outcome when it closes (SPEC §3.4). */
const orderOutcomeSchema = z.object({
  orderId: z.string().min(1),
  sellerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  closedOn: z.iso.date(),
  overallRating: star.optional(),
  dsrDescription: star.optional(),
  dsrCommunication: star.optional(),
  dsrShipping: star.optional(),
  unshippedBySeller: z.boolean(),
  arbitrated: z.boolean(),
  sellerResponsible: z.boolean(),
  disputeTimeout: z.boolean(),
  notReceivedDisputeClosed: z.boolean(),
});
type OrderOutcome = z.infer<typeof orderOutcomeSchema>;

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

/** The outcome's contribution to the daily metrics of its closing date. */
function outcomeContribution(o: OrderOutcome): Partial<MetricValues> {
  const c: Partial<MetricValues> = { closedOrders: 1 };
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

/**
 * Folds outcomes into per-seller, per-date metric contributions. Idempotent per orderId: the
 * same outcome twice counts once, and a later outcome of the same order replaces the earlier.
 */
function foldOrderOutcomes(outcomes: OrderOutcome[]): Map<string, MetricValues> {
  const latest = new Map<string, OrderOutcome>();
  for (const o of outcomes) latest.set(o.orderId, o);
  const folded = new Map<string, MetricValues>();
  for (const o of latest.values()) {
    const key = `${o.sellerId}|${o.closedOn}`;
    let day = folded.get(key);
    if (!day) folded.set(key, (day = emptyMetrics()));
    for (const [field, v] of Object.entries(outcomeContribution(o)) as [keyof MetricValues, number][]) day[field] += v;
  }
  return folded;
}

export { badExperienceReasons, foldOrderOutcomes, orderOutcomeSchema, outcomeContribution, ratingsCount };
export type { OrderOutcome };
