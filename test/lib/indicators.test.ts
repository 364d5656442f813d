import { describe, expect, it } from 'vitest';
import { ABILITIES } from '../../lib/abilities';
import { GMV_GROWTH_MIN_BASE_CENTS, INDICATORS, INDICATOR_COUNT, gmvGrowth, ratioFields, volumeValue } from '../../lib/indicators';
import { F } from '../../lib/metrics';

describe('INDICATORS', () => {
  it('defines the 22 indicators of SPEC §4, in its order', () => {
    expect(INDICATOR_COUNT).toBe(22);
    expect(INDICATORS.map((i) => i.id)).toEqual([
      'sellThroughRate',
      'inStockRate',
      'positiveRatingRate',
      'dsrDescription',
      'campaignOrderShare',
      'marketCoverage',
      'conversionRate',
      'viewsPerVisitor',
      'visitors',
      'online72hRate',
      'deliveryDays',
      'unshippedRate',
      'dsrShipping',
      'responseRate24h',
      'disputeRate',
      'badExperienceRate',
      'dsrCommunication',
      'repeatOrderRate',
      'newFollowers',
      'gmv',
      'orderVolume',
      'gmvGrowth',
    ]);
  });

  it('counts 4 product, 2 channel, 3 traffic, 4 logistics, 4 service, 2 customerOps and 3 growth indicators', () => {
    const count = (a: string) => INDICATORS.filter((i) => i.ability === a).length;
    expect(ABILITIES.map(count)).toEqual([4, 2, 3, 4, 4, 2, 3]);
  });

  it('marks exactly deliveryDays, unshippedRate, disputeRate and badExperienceRate as lower-is-better', () => {
    expect(INDICATORS.filter((i) => i.better === 'lower').map((i) => i.id)).toEqual(['deliveryDays', 'unshippedRate', 'disputeRate', 'badExperienceRate']);
  });

  it('smooths the means with the mean strength: dsr scores, views per visitor and delivery days', () => {
    expect(INDICATORS.filter((i) => i.kind === 'mean').map((i) => i.id)).toEqual([
      'dsrDescription',
      'viewsPerVisitor',
      'deliveryDays',
      'dsrShipping',
      'dsrCommunication',
    ]);
  });

  it('reads conversionRate as orders over visitors', () => {
    const def = INDICATORS.find((i) => i.id === 'conversionRate')!;
    expect(ratioFields(def)).toEqual({ num: F.orders, den: F.visitors });
    expect(ratioFields(INDICATORS.find((i) => i.id === 'gmv')!)).toBeNull();
  });
});

describe('volumeValue', () => {
  it('takes ln(1 + S) per unit, per dollar and per day', () => {
    const def = (id: string) => INDICATORS.find((i) => i.id === id) as Extract<(typeof INDICATORS)[number], { kind: 'volume' }>;
    expect(volumeValue(def('visitors'), 99, 30)).toBeCloseTo(Math.log(100), 12);
    expect(volumeValue(def('gmv'), 9_900, 30)).toBeCloseTo(Math.log(100), 12); // $99
    expect(volumeValue(def('marketCoverage'), 90, 30)).toBeCloseTo(Math.log(4), 12); // 3 markets a day
  });
});

describe('gmvGrowth', () => {
  it('is (G − Gp) / Gp above the $100 floor: 30 000 against 20 000 cents is +0.5', () => {
    expect(gmvGrowth(30_000, 20_000)).toBe(0.5);
  });

  it('divides by 10 000 cents when the previous window had less: 5 000 against 0 is +0.5', () => {
    expect(GMV_GROWTH_MIN_BASE_CENTS).toBe(10_000);
    expect(gmvGrowth(5_000, 0)).toBe(0.5);
    // (10 000 − 9 999) / max(9 999, 10 000) = 1 / 10 000
    expect(gmvGrowth(10_000, 9_999)).toBe(0.0001);
    // At the floor exactly: (20 000 − 10 000) / 10 000 = 1.
    expect(gmvGrowth(20_000, 10_000)).toBe(1);
  });

  it('is −1 when sales stop after a window above the floor', () => {
    expect(gmvGrowth(0, 40_000)).toBe(-1);
  });
});
