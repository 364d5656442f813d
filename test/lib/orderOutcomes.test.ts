import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMetricRow } from '../../lib/metrics';
import {
  badExperienceReasons,
  conflictedVersions,
  decisionInForce,
  emptyHistory,
  foldOrders,
  foldStandingOrders,
  instantKey,
  orderFeedSchema,
  orderOutcomeSchema,
  orderView,
  outcomeContribution,
  ratingsCount,
  receiveOutcome,
  sellerDayKey,
  standingVersion,
  type AppealDecision,
  type OrderFeedLine,
  type OrderHistory,
  type OrderOutcome,
} from '../../lib/orderOutcomes';
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

/** Folds outcomes received in this order, each a later version than the one before. */
function foldOutcomes(outcomes: OrderOutcome[], decisions: AppealDecision[] = []) {
  const histories = new Map<string, OrderHistory>();
  const historyOf = (id: string) => histories.get(id) ?? histories.set(id, emptyHistory()).get(id)!;
  outcomes.forEach((o, i) => receiveOutcome(historyOf(o.orderId), { ...o, updatedAt: `2026-07-01T00:00:${String(i).padStart(2, '0')}Z` }));
  for (const d of decisions) historyOf(d.orderId).decisions.push(d);
  return foldOrders(histories.values());
}

const decision = (changes: Partial<AppealDecision> = {}): AppealDecision => ({
  orderId: 'o-1',
  action: 'exclude',
  on: '2026-07-10',
  by: 'ops-li',
  reason: 'carrier strike',
  recorded: '#1',
  ...changes,
});

describe('foldOrders', () => {
  it('sums the outcomes of one seller and date', () => {
    const folded = foldOutcomes([
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
    const folded = foldOutcomes([
      outcome({ orderId: 'o-1' }),
      outcome({ orderId: 'o-2', closedOn: '2026-06-16' }),
      outcome({ orderId: 'o-3', sellerId: 's-7' }),
    ]);
    expect([...folded.keys()].sort()).toEqual(['s-042|2026-06-15', 's-042|2026-06-16', 's-7|2026-06-15']);
  });

  it('replaces an outcome by its later correction', () => {
    const folded = foldOutcomes([outcome({ overallRating: 2 }), outcome({ overallRating: 5 })]);
    expect(folded.get('s-042|2026-06-15')).toMatchObject({ closedOrders: 1, badExperienceOrders: 0, ratings: 1, positiveRatings: 1 });
  });

  it('moves an order whose correction changes its closing date or its seller', () => {
    const moved = foldOutcomes([outcome({ closedOn: '2026-06-15' }), outcome({ closedOn: '2026-06-17' })]);
    expect(moved.get('s-042|2026-06-15')).toBeUndefined();
    expect(moved.get('s-042|2026-06-17')?.closedOrders).toBe(1);
    const otherSeller = foldOutcomes([outcome(), outcome({ sellerId: 's-7' })]);
    expect([...otherSeller.keys()]).toEqual(['s-7|2026-06-15']);
  });

  it('counts an excluded order as closed and as nothing else, and again when it is reinstated', () => {
    const bad = outcome({ overallRating: 1, arbitrated: true, sellerResponsible: true });
    expect(foldOutcomes([bad], [decision()]).get('s-042|2026-06-15')).toEqual(metrics({ closedOrders: 1 }));
    const reinstated = foldOutcomes([bad], [decision(), decision({ action: 'reinstate', on: '2026-07-12' })]);
    expect(reinstated.get('s-042|2026-06-15')).toMatchObject({ closedOrders: 1, badExperienceOrders: 1, sellerResponsibleArbitrations: 1, ratings: 1 });
  });

  it('takes the decision with the latest date, and of one date the later recorded, whatever the order they came in', () => {
    const exclude = decision({ on: '2026-07-12', recorded: '#2' });
    const reinstateEarlier = decision({ action: 'reinstate', on: '2026-07-11', recorded: '#3' });
    expect(decisionInForce([exclude, reinstateEarlier])).toBe(exclude);
    const sameDayLater = decision({ action: 'reinstate', on: '2026-07-12', recorded: '#4' });
    expect(decisionInForce([sameDayLater, exclude])).toBe(sameDayLater);
  });
});

describe('order versions (SPEC §3.4 "Ingestion")', () => {
  const line = (updatedAt: string, changes: Partial<OrderOutcome> = {}) => ({ ...outcome(changes), updatedAt });

  it('compares updatedAt as instants, whatever the offset it is written with', () => {
    expect(instantKey('2026-07-01T08:00:00+08:00')).toBe(instantKey('2026-07-01T00:00:00Z'));
    expect(instantKey('2026-07-01T00:00:00.5Z') > instantKey('2026-07-01T00:00:00.499999Z')).toBe(true);
    const h = emptyHistory();
    receiveOutcome(h, line('2026-07-01T09:00:00+08:00', { overallRating: 2 }));
    receiveOutcome(h, line('2026-07-01T02:00:00Z', { overallRating: 5 }));
    expect(standingVersion(h)?.outcomes[0]?.overallRating).toBe(5);
  });

  it('counts an identical repeat once, and reads a null rating as an absent one', () => {
    const h = emptyHistory();
    expect(receiveOutcome(h, line('2026-07-01T00:00:00Z', { overallRating: undefined }))).toBe('new');
    const withNull = orderFeedSchema.parse({ ...line('2026-07-01T00:00:00+00:00'), overallRating: null });
    expect(receiveOutcome(h, withNull)).toBe('repeat');
    expect(conflictedVersions(h)).toEqual([]);
  });

  it('falls back to the latest version without a conflict, and to none at all', () => {
    const h = emptyHistory();
    receiveOutcome(h, line('2026-07-01T00:00:00Z', { overallRating: 2 }));
    receiveOutcome(h, line('2026-07-02T00:00:00Z', { overallRating: 4 }));
    receiveOutcome(h, line('2026-07-02T00:00:00Z', { overallRating: 5 }));
    expect(conflictedVersions(h).map((v) => v.updatedAt)).toEqual(['2026-07-02T00:00:00Z']);
    expect(standingVersion(h)?.outcomes[0]?.overallRating).toBe(2);
    receiveOutcome(h, line('2026-07-03T00:00:00Z', { overallRating: 3 }));
    expect(standingVersion(h)?.outcomes[0]?.overallRating).toBe(3);
    const only = emptyHistory();
    receiveOutcome(only, line('2026-07-02T00:00:00Z', { overallRating: 4 }));
    receiveOutcome(only, line('2026-07-02T00:00:00Z', { overallRating: 5 }));
    expect(standingVersion(only)).toBeNull();
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
    updatedAt: fc.constantFrom('2026-07-01T00:00:00Z', '2026-07-01T08:00:00+08:00', '2026-07-02T00:00:00Z', '2026-07-03T10:00:00-02:00'),
  });
  const foldFeed = (lines: OrderFeedLine[]) => {
    const histories = new Map<string, OrderHistory>();
    for (const l of lines) receiveOutcome(histories.get(l.orderId) ?? histories.set(l.orderId, emptyHistory()).get(l.orderId)!, l);
    return foldOrders(histories.values());
  };

  it('gives the same totals for a feed received twice, in any order of its lines (property)', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb, { maxLength: 25 }), fc.func(fc.integer()), (lines, rank) => {
        const shuffled = [...lines, ...lines]
          .map((l, i) => [rank(i), l] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, l]) => l);
        expect(foldFeed(shuffled)).toEqual(foldFeed(lines));
      }),
      { numRuns: 200 },
    );
  });

  it('always folds into rows that pass the metric-row rules of §3.3 (property)', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb, { maxLength: 20 }), (lines) => {
        for (const [key, values] of foldFeed(lines)) {
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

describe('foldStandingOrders', () => {
  it('folds the orders as the index holds them (their views) as foldOrders folds their histories', () => {
    const histories = new Map<string, OrderHistory>();
    const historyOf = (id: string) => histories.get(id) ?? histories.set(id, emptyHistory()).get(id)!;
    const received = [
      outcome({ orderId: 'o-1', overallRating: 1, arbitrated: true, sellerResponsible: true }),
      outcome({ orderId: 'o-2', overallRating: 2 }),
      outcome({ orderId: 'o-3', closedOn: '2026-06-16' }),
      outcome({ orderId: 'o-3', closedOn: '2026-06-17', dsrShipping: 3 }),
      outcome({ orderId: 'o-4', sellerId: 's-7', unshippedBySeller: true }),
    ];
    received.forEach((o, i) => receiveOutcome(historyOf(o.orderId), { ...o, updatedAt: `2026-07-01T00:00:${String(i).padStart(2, '0')}Z` }));
    historyOf('o-1').decisions.push({ orderId: 'o-1', action: 'exclude', on: '2026-07-10', by: 'ops-li', reason: 'carrier strike', recorded: '#1' });
    const views = [...histories.values()].map((h) => orderView(h)!);
    const folded = foldStandingOrders(views);
    expect(folded).toEqual(foldOrders(histories.values()));
    expect([...folded.keys()].sort()).toEqual([sellerDayKey('s-042', '2026-06-15'), sellerDayKey('s-042', '2026-06-17'), sellerDayKey('s-7', '2026-06-15')]);
    expect(folded.get(sellerDayKey('s-042', '2026-06-15'))).toMatchObject({ closedOrders: 2, badExperienceOrders: 1, sellerResponsibleArbitrations: 0 });
  });
});
