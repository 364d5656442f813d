import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMetricRow } from '../../lib/metrics';
import { badExperienceReasons, foldOrderOutcomes, orderOutcomeSchema, outcomeContribution, ratingsCount, type OrderOutcome } from '../../lib/orderOutcomes';
import { metrics } from './fixtures';

/** A clean order: closed, five stars everywhere, no dispute. */
function outcome(changes: Partial<OrderOutcome> = {}): OrderOutcome {
  return {
    orderId: 'o-1',
    sellerId: 's-042',
    closedOn: '2026-06-15',
    overallRating: 5,
    dsrDescription: 5,
    dsrCommunication: 5,
    dsrShipping: 5,
    unshippedBySeller: false,
    arbitrated: false,
    sellerResponsible: false,
    disputeTimeout: false,
    notReceivedDisputeClosed: false,
    ...changes,
  };
}

describe('badExperienceReasons', () => {
  it('finds nothing wrong with a clean five-star order', () => {
    expect(badExperienceReasons(outcome())).toEqual([]);
  });

  it('counts an overall rating of 3 as bad and 4 as not', () => {
    expect(badExperienceReasons(outcome({ overallRating: 3 }))).toEqual(['overallRating <= 3']);
    expect(badExperienceReasons(outcome({ overallRating: 4 }))).toEqual([]);
  });

  it('counts a description rating of 3 as bad and 4 as not', () => {
    expect(badExperienceReasons(outcome({ dsrDescription: 3 }))).toEqual(['dsrDescription <= 3']);
    expect(badExperienceReasons(outcome({ dsrDescription: 4 }))).toEqual([]);
  });

  it('counts a communication rating of 3 as bad and 4 as not', () => {
    expect(badExperienceReasons(outcome({ dsrCommunication: 3 }))).toEqual(['dsrCommunication <= 3']);
    expect(badExperienceReasons(outcome({ dsrCommunication: 4 }))).toEqual([]);
  });

  it('counts a shipping rating of 1 as bad and 2 as not', () => {
    expect(badExperienceReasons(outcome({ dsrShipping: 1 }))).toEqual(['dsrShipping == 1']);
    expect(badExperienceReasons(outcome({ dsrShipping: 2 }))).toEqual([]);
  });

  it('counts an order the seller did not ship', () => {
    expect(badExperienceReasons(outcome({ unshippedBySeller: true }))).toEqual(['unshippedBySeller']);
  });

  it('counts an arbitrated order whoever was responsible', () => {
    expect(badExperienceReasons(outcome({ arbitrated: true, sellerResponsible: false }))).toEqual(['arbitrated']);
    expect(badExperienceReasons(outcome({ arbitrated: true, sellerResponsible: true }))).toEqual(['arbitrated']);
  });

  it('counts a dispute left unanswered', () => {
    expect(badExperienceReasons(outcome({ disputeTimeout: true }))).toEqual(['disputeTimeout']);
  });

  it('counts no rating at all as not bad', () => {
    const unrated = outcome({ overallRating: undefined, dsrDescription: undefined, dsrCommunication: undefined, dsrShipping: undefined });
    expect(badExperienceReasons(unrated)).toEqual([]);
  });

  it('lists every reason of an order that is bad in several ways', () => {
    expect(badExperienceReasons(outcome({ overallRating: 1, dsrShipping: 1, unshippedBySeller: true, disputeTimeout: true }))).toEqual([
      'overallRating <= 3',
      'dsrShipping == 1',
      'unshippedBySeller',
      'disputeTimeout',
    ]);
  });

  it('ignores the ratings of an order closed through a not-received dispute, but not its other reasons', () => {
    const closedByDispute = outcome({ notReceivedDisputeClosed: true, overallRating: 1, dsrDescription: 1, dsrCommunication: 1, dsrShipping: 1 });
    expect(ratingsCount(closedByDispute)).toBe(false);
    expect(badExperienceReasons(closedByDispute)).toEqual([]);
    expect(badExperienceReasons({ ...closedByDispute, disputeTimeout: true })).toEqual(['disputeTimeout']);
  });
});

describe('outcomeContribution', () => {
  it('adds a closed order, a positive rating and each DSR score for a clean order', () => {
    expect(outcomeContribution(outcome({ dsrShipping: 4 }))).toEqual({
      closedOrders: 1,
      ratings: 1,
      positiveRatings: 1,
      dsrDescriptionSum: 5,
      dsrDescriptionCount: 1,
      dsrCommunicationSum: 5,
      dsrCommunicationCount: 1,
      dsrShippingSum: 4,
      dsrShippingCount: 1,
    });
  });

  it('adds a rating but no positive rating for 3 stars, and marks the order bad', () => {
    expect(outcomeContribution(outcome({ overallRating: 3 }))).toMatchObject({ ratings: 1, badExperienceOrders: 1 });
    expect(outcomeContribution(outcome({ overallRating: 3 })).positiveRatings).toBeUndefined();
  });

  it('counts a seller-responsible arbitration only when the seller was responsible', () => {
    expect(outcomeContribution(outcome({ arbitrated: true, sellerResponsible: true }))).toMatchObject({
      badExperienceOrders: 1,
      sellerResponsibleArbitrations: 1,
    });
    expect(outcomeContribution(outcome({ arbitrated: true, sellerResponsible: false })).sellerResponsibleArbitrations).toBeUndefined();
  });

  it('adds no rating and no DSR for an order closed through a not-received dispute', () => {
    expect(outcomeContribution(outcome({ notReceivedDisputeClosed: true, overallRating: 1 }))).toEqual({ closedOrders: 1 });
  });
});

describe('foldOrderOutcomes', () => {
  it('sums the outcomes of one seller and date', () => {
    const folded = foldOrderOutcomes([
      outcome({ orderId: 'o-1' }),
      outcome({ orderId: 'o-2', overallRating: 2, dsrDescription: 4 }),
      outcome({ orderId: 'o-3', notReceivedDisputeClosed: true }),
    ]);
    expect([...folded.keys()]).toEqual(['s-042|2026-06-15']);
    expect(folded.get('s-042|2026-06-15')).toEqual(
      metrics({
        closedOrders: 3,
        badExperienceOrders: 1,
        ratings: 2,
        positiveRatings: 1,
        dsrDescriptionSum: 9,
        dsrDescriptionCount: 2,
        dsrCommunicationSum: 10,
        dsrCommunicationCount: 2,
        dsrShippingSum: 10,
        dsrShippingCount: 2,
      }),
    );
  });

  it('keeps seller and closing date apart', () => {
    const folded = foldOrderOutcomes([
      outcome({ orderId: 'o-1' }),
      outcome({ orderId: 'o-2', closedOn: '2026-06-16' }),
      outcome({ orderId: 'o-3', sellerId: 's-7' }),
    ]);
    expect([...folded.keys()].sort()).toEqual(['s-042|2026-06-15', 's-042|2026-06-16', 's-7|2026-06-15']);
  });

  it('counts the same outcome delivered twice once', () => {
    const once = foldOrderOutcomes([outcome({ overallRating: 2 })]);
    const twice = foldOrderOutcomes([outcome({ overallRating: 2 }), outcome({ overallRating: 2 })]);
    expect(twice).toEqual(once);
    expect(twice.get('s-042|2026-06-15')?.closedOrders).toBe(1);
  });

  it('replaces an outcome by its later correction', () => {
    const folded = foldOrderOutcomes([outcome({ overallRating: 2 }), outcome({ overallRating: 5 })]);
    expect(folded.get('s-042|2026-06-15')).toMatchObject({ closedOrders: 1, badExperienceOrders: 0, ratings: 1, positiveRatings: 1 });
  });

  it('moves an order whose correction changes its closing date', () => {
    const folded = foldOrderOutcomes([outcome({ closedOn: '2026-06-15' }), outcome({ closedOn: '2026-06-17' })]);
    expect(folded.get('s-042|2026-06-15')).toBeUndefined();
    expect(folded.get('s-042|2026-06-17')?.closedOrders).toBe(1);
  });

  const outcomeArb = fc.record({
    orderId: fc.constantFrom('o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6'),
    sellerId: fc.constantFrom('s-1', 's-2'),
    closedOn: fc.constantFrom('2026-06-15', '2026-06-16'),
    overallRating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    dsrDescription: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    dsrCommunication: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    dsrShipping: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    unshippedBySeller: fc.boolean(),
    arbitrated: fc.boolean(),
    sellerResponsible: fc.boolean(),
    disputeTimeout: fc.boolean(),
    notReceivedDisputeClosed: fc.boolean(),
  });

  it('folding a list twice over gives the same as folding it once (property)', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb, { maxLength: 20 }), (outcomes) => {
        expect(foldOrderOutcomes([...outcomes, ...outcomes])).toEqual(foldOrderOutcomes(outcomes));
      }),
      { numRuns: 150 },
    );
  });

  it('always folds into rows that pass the metric-row rules of §3.3 (property)', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb, { maxLength: 20 }), (outcomes) => {
        for (const [key, values] of foldOrderOutcomes(outcomes)) {
          const [sellerId, date] = key.split('|');
          expect(checkMetricRow({ sellerId, date, ...values }).valid).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('orderOutcomeSchema', () => {
  it('accepts a clean outcome and refuses a rating of 0 or 6', () => {
    expect(orderOutcomeSchema.safeParse(outcome()).success).toBe(true);
    expect(orderOutcomeSchema.safeParse({ ...outcome(), overallRating: 0 }).success).toBe(false);
    expect(orderOutcomeSchema.safeParse({ ...outcome(), dsrShipping: 6 }).success).toBe(false);
  });
});
