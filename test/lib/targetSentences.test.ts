import { describe, expect, it } from 'vitest';
import { INDICATORS, type IndicatorId } from '../../lib/indicators';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { IndicatorsField } from '../../lib/records';
import { targetSentence, whyNoTargets } from '../../lib/targetSentences';

const ability = (id: IndicatorId) => INDICATORS.find((d) => d.id === id)!.ability;
const sentence = (indicator: IndicatorId, raw: number, target: number, days = 30) =>
  targetSentence({ indicator, ability: ability(indicator), raw, target }, days);

describe('targetSentence', () => {
  it('gives a rate in percent and a count over the window with thousands separators', () => {
    expect(sentence('campaignOrderShare', 0.027, 0.061)).toBe('campaign order share 2.7 % → 6.1 %');
    expect(sentence('visitors', 1240, 2309.4)).toBe('visitors over 30 days 1,240 → 2,310');
    expect(sentence('orderVolume', 17, 20.2, 28)).toBe('orders over 28 days 17 → 21');
  });

  it('rounds a target toward the harder side: up for higher-is-better, down for lower-is-better', () => {
    expect(sentence('repeatOrderRate', 0.2, 0.33211)).toBe('repeat-buyer order share 20.0 % → 33.3 %');
    expect(sentence('unshippedRate', 0.0123, 0.00879)).toBe('paid orders cancelled unshipped 1.2 % → 0.8 %');
    expect(sentence('deliveryDays', 9.34, 7.08)).toBe('days to delivery 9.3 → 7.0');
  });

  it('shows more digits when the two values would look the same', () => {
    expect(sentence('inStockRate', 0.1249, 0.125)).toBe('listings in stock 12.49 % → 12.50 %');
  });

  it('gives GMV in dollars, its growth signed, markets a day and star ratings', () => {
    expect(sentence('gmv', 12_400.25, 18_000.2)).toBe('GMV over 30 days $12,400 → $18,001');
    expect(sentence('gmvGrowth', -0.3, 0.6557)).toBe('GMV growth over the previous 30 days -30.0 % → +65.6 %');
    expect(sentence('marketCoverage', 1.2, 2.304)).toBe('markets with orders a day 1.20 → 2.31');
    expect(sentence('dsrShipping', 4.512, 4.7031)).toBe('shipping rating 4.51 → 4.71 stars');
  });
});

describe('whyNoTargets', () => {
  // a = 1/7, w = 0.25: a gap of 0.1 costs 2.8 normalized points; at 99.5 every indicator is short of room
  const indicators = Object.fromEntries(INDICATORS.map((d) => [d.id, { raw: 0.5, value: 99.5, weight: 0.25 }])) as IndicatorsField;
  Object.assign(indicators, {
    visitors: { raw: 3, value: 99, weight: 0.25 },
    conversionRate: { raw: null, value: 50, weight: 0.25 },
    unshippedRate: { raw: 0.01, value: 70, weight: 0.25 },
    dsrShipping: { raw: 4.5, value: 50, weight: 0.25 },
    gmv: { raw: 9.2, value: 50, weight: 0.25 },
    campaignOrderShare: { raw: 0.1, value: 10, weight: 0 },
  });

  it('names, for each indicator, the reason a record shows', () => {
    expect(whyNoTargets(0.1, indicators, 30, DEFAULT_POLICY)).toEqual([
      'No indicator alone closes the gap of 0.1 points:',
      '17 would need more than 100/100 against the pool; the most one can add is 0.0 points (visitors over 30 days).',
      'no weight in the score: campaign order share.',
      'nothing to count in the window: conversion rate (no visitors).',
      'the target would leave what the indicator can be: paid orders cancelled unshipped (below 0 %).',
      "the pool's sellers do not differ on it: shipping rating (or its target would go above 5 stars), GMV over 30 days.",
    ]);
  });
});
