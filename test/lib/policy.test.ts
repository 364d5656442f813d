import { describe, expect, it } from 'vitest';
import { ABILITIES } from '../../lib/abilities';
import { INDICATORS } from '../../lib/indicators';
import { DEFAULT_POLICY, PolicyError, lookupByCategory, parsePolicy } from '../../lib/policy';

/** The default policy as an operator's JSON document. */
const document = (): Record<string, unknown> => JSON.parse(JSON.stringify(DEFAULT_POLICY)) as Record<string, unknown>;

function errorOf(doc: unknown): PolicyError {
  try {
    parsePolicy(doc);
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected the policy to be refused');
}

describe('DEFAULT_POLICY', () => {
  it('is a valid policy document that survives a JSON round trip', () => {
    expect(parsePolicy(document())).toEqual(DEFAULT_POLICY);
  });

  it('holds the defaults of the spec', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      timeZone: 'America/Los_Angeles',
      pool: { minSize: 30 },
      smoothing: { rate: 50, mean: 10 },
      normalization: { lower: 0.05, upper: 0.95 },
      weights: { shrinkage: 0.2, fixed: null },
      tiers: { quantiles: { top: 0.95, highPotential: 0.8, mid: 0.5 }, maxTargets: 3 },
      serviceLevel: { minClosedOrders: 90, windowDays: 90 },
      merchantTier: { windowDays: 90, effectiveFromDay: 15 },
      goodSeller: { grantDays: 180, maxStoreAgeMonths: 12, lookbackDays: 30, criteria: { default: { minGmvUsd: 3000, minPositiveRatingRate: 0.9 } } },
      frontBadgePriority: ['jbp', 'styled', 'plus', 'gold', 'silver'],
      dailyScoreRetentionDays: 400,
    });
  });

  it('weighs the seven abilities 1/7 each', () => {
    for (const a of ABILITIES) expect(DEFAULT_POLICY.abilityWeights[a]).toBeCloseTo(1 / 7, 15);
  });
});

describe('parsePolicy', () => {
  it('refuses ability weights that do not sum to 1, naming abilityWeights and the sum', () => {
    const doc = document();
    doc.abilityWeights = { ...DEFAULT_POLICY.abilityWeights, product: 0.5 };
    const e = errorOf(doc);
    expect(e.name).toBe('PolicyError');
    expect(e.message).toMatch(/^policy is invalid: abilityWeights: ability weights must sum to 1, got 1\.357/);
  });

  it('gives an older document without tiers.maxTargets the default 3, and refuses a fractional or negative one naming it', () => {
    const doc = document();
    const { maxTargets: _, ...olderTiers } = DEFAULT_POLICY.tiers;
    doc.tiers = olderTiers;
    expect(parsePolicy(doc).tiers.maxTargets).toBe(3);
    for (const bad of [1.5, -1]) {
      doc.tiers = { ...olderTiers, maxTargets: bad };
      expect(errorOf(doc).field).toBe('tiers.maxTargets');
    }
    doc.tiers = { ...olderTiers, maxTargets: 0 };
    expect(parsePolicy(doc).tiers.maxTargets).toBe(0);
  });

  it('accepts ability weights that sum to 1 unevenly', () => {
    const doc = document();
    doc.abilityWeights = { product: 0.4, channel: 0.1, traffic: 0.1, logistics: 0.1, service: 0.1, customerOps: 0.1, growth: 0.1 };
    expect(parsePolicy(doc).abilityWeights.product).toBe(0.4);
  });

  it('refuses an unknown top-level key, naming it', () => {
    const e = errorOf({ ...document(), poolSize: 30 });
    expect(e.message).toContain('Unrecognized key');
    expect(e.message).toContain('poolSize');
  });

  it('refuses an unknown ability, naming abilityWeights and the key', () => {
    const doc = document();
    doc.abilityWeights = { ...DEFAULT_POLICY.abilityWeights, marketing: 0 };
    const e = errorOf(doc);
    expect(e.message).toContain('abilityWeights');
    expect(e.message).toContain('marketing');
  });

  it('refuses a missing ability weight, naming its path', () => {
    const doc = document();
    const { growth: _, ...six } = DEFAULT_POLICY.abilityWeights;
    doc.abilityWeights = six;
    expect(errorOf(doc).message).toContain('abilityWeights.growth');
  });

  it('refuses a negative smoothing strength, naming smoothing.rate', () => {
    const doc = document();
    doc.smoothing = { rate: -1, mean: 10 };
    expect(errorOf(doc).message).toContain('smoothing.rate');
  });

  it('refuses a pool size of 0 and a fractional pool size, naming pool.minSize', () => {
    expect(errorOf({ ...document(), pool: { minSize: 0 } }).message).toContain('pool.minSize');
    expect(errorOf({ ...document(), pool: { minSize: 2.5 } }).message).toContain('pool.minSize');
  });

  it('refuses a lower normalization quantile that is not below the upper one', () => {
    const e = errorOf({ ...document(), normalization: { lower: 0.95, upper: 0.95 } });
    expect(e.message).toContain('normalization: lower (0.95) must be below upper (0.95)');
  });

  it('refuses tier quantiles out of order', () => {
    const doc = document();
    doc.tiers = { ...DEFAULT_POLICY.tiers, quantiles: { top: 0.8, highPotential: 0.95, mid: 0.5 } };
    expect(errorOf(doc).message).toContain('tiers.quantiles: tier quantiles must be ordered');
  });

  it('refuses a badge listed twice in the priority', () => {
    expect(errorOf({ ...document(), frontBadgePriority: ['gold', 'gold'] }).message).toContain('frontBadgePriority: a badge may appear only once');
  });

  it('refuses an unknown badge, naming its position', () => {
    expect(errorOf({ ...document(), frontBadgePriority: ['jbp', 'diamond'] }).message).toContain('frontBadgePriority.1');
  });

  it('refuses an effective-from day of 29, which February lacks', () => {
    const doc = document();
    doc.merchantTier = { ...DEFAULT_POLICY.merchantTier, effectiveFromDay: 29 };
    expect(errorOf(doc).message).toContain('merchantTier.effectiveFromDay');
  });

  it('refuses a service level that is not a level, naming the path to it', () => {
    const doc = document();
    const gold = { ...DEFAULT_POLICY.merchantTier.criteria.default.gold, serviceLevels: ['superb'] };
    doc.merchantTier = { ...DEFAULT_POLICY.merchantTier, criteria: { default: { ...DEFAULT_POLICY.merchantTier.criteria.default, gold }, byCategory: {} } };
    expect(errorOf(doc).message).toContain('merchantTier.criteria.default.gold.serviceLevels.0');
  });

  // SPEC §9: every level of the policy is strict, or `maxBadExperinceRate` would silently drop a condition.
  it('refuses a misspelt key inside a service-level rule, naming its path', () => {
    const doc = document();
    const levels = structuredClone(DEFAULT_POLICY.serviceLevel.levels);
    levels[0] = {
      level: 'excellent',
      maxBadExperinceRate: 0.03,
      maxSellerResponsibleArbitrationRate: 0.008,
      minPositiveRatingRate: 0.97,
    } as (typeof levels)[number];
    doc.serviceLevel = { ...DEFAULT_POLICY.serviceLevel, levels };
    expect(errorOf(doc).message).toContain('serviceLevel.levels.0');
  });

  it('refuses a misspelt key inside a section, naming its path', () => {
    const e = errorOf({ ...document(), pool: { minSize: 30, minSise: 5 } });
    expect(e.message).toContain('pool');
    expect(e.message).toContain('minSise');
  });

  it('names the source document in the message', () => {
    expect(() => parsePolicy({}, 'policy 2026.2')).toThrow(/^policy 2026\.2 is invalid: /);
  });

  it('lists every problem, not only the first', () => {
    const e = errorOf({ ...document(), pool: { minSize: 0 }, smoothing: { rate: -1, mean: 10 } });
    expect(e.message).toContain('pool.minSize');
    expect(e.message).toContain('smoothing.rate');
  });

  describe('fixed weights', () => {
    const equalFixed = () => {
      const fixed: Record<string, number> = {};
      for (const a of ABILITIES) {
        const ids = INDICATORS.filter((i) => i.ability === a).map((i) => i.id);
        for (const id of ids) fixed[id] = 1 / ids.length;
      }
      return fixed;
    };

    it('accepts fixed weights that sum to 1 inside every ability', () => {
      const doc = document();
      doc.weights = { shrinkage: 0.2, fixed: equalFixed() };
      expect(parsePolicy(doc).weights.fixed?.sellThroughRate).toBe(0.25);
    });

    it('refuses fixed weights of an ability that sum to 0.9, naming the ability', () => {
      const doc = document();
      doc.weights = { shrinkage: 0.2, fixed: { ...equalFixed(), campaignOrderShare: 0.4 } };
      expect(errorOf(doc).message).toContain('weights.fixed: channel: weights must sum to 1, got 0.9');
    });

    it('refuses fixed weights that leave an indicator out, naming it', () => {
      const doc = document();
      const { gmvGrowth: _, ...rest } = equalFixed();
      doc.weights = { shrinkage: 0.2, fixed: rest };
      expect(errorOf(doc).message).toContain('weights.fixed: growth: missing weights for gmvGrowth');
    });

    it('refuses a fixed weight for an indicator that does not exist', () => {
      const doc = document();
      doc.weights = { shrinkage: 0.2, fixed: { ...equalFixed(), followers: 1 } };
      expect(errorOf(doc).message).toContain('weights.fixed');
    });
  });
});

describe('lookupByCategory', () => {
  const table = { default: 'default', byCategory: { 'c-11': 'category', 'p-1': 'parent' } };

  it('uses the category set first, then the parent set, then the default', () => {
    expect(lookupByCategory(table, 'c-11', 'p-1')).toBe('category');
    expect(lookupByCategory(table, 'c-12', 'p-1')).toBe('parent');
    expect(lookupByCategory(table, 'c-21', 'p-2')).toBe('default');
  });
});

describe('policy errors', () => {
  it('are input errors that name the path of the first problem', async () => {
    const { InputError } = await import('../../lib/errors');
    const { parsePolicy: parse, DEFAULT_POLICY: base } = await import('../../lib/policy');
    let caught: unknown;
    try {
      parse({ ...structuredClone(base), pool: { minSize: 0 } }, 'draft.json');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InstanceType<typeof InputError>).field).toBe('pool.minSize');
  });
});
