import { z } from 'zod';
import { GROWTH_INDICATOR_IDS, type GrowthIndicatorId } from './growthIndicators';

const probability = z.number().min(0).max(1);
const count = z.number().int().min(0);
const stageLine = (quantile: number, minOrders: number) =>
  z.strictObject({ quantile: probability.default(quantile), minOrders: z.number().min(0).default(minOrders) }).prefault({});

const DEFAULT_GROWTH_WEIGHTS: Record<GrowthIndicatorId, number> = {
  visitors: 0.2,
  conversionRate: 0.25,
  addToCartRate: 0.1,
  positiveRate: 0.15,
  returnRate: 0.1,
  gmv: 0.2,
};

const DEFAULT_GROWTH_ACTIONS: Record<GrowthIndicatorId, string> = {
  visitors: 'widen its reach: keywords in the title, campaign enrolment, ads on the listing',
  conversionRate: 'improve the main image, price and title',
  addToCartRate: 'show the variants, shipping time and bundle offers on the detail page',
  positiveRate: 'check the product against its description and the packaging',
  returnRate: 'fix the size chart and description behind the returns',
  gmv: 'raise the order value: bundles, volume pricing and coupons',
};

/** The product growth centre's rules (SPEC §7.6, §9); optional in older documents, which get the defaults. */
const growthPolicySchema = z
  .strictObject({
    newDays: count.default(90),
    pool: z.strictObject({ minSize: z.number().int().min(1).default(50) }).prefault({}),
    weights: z
      .strictObject(
        Object.fromEntries(GROWTH_INDICATOR_IDS.map((id) => [id, probability.default(DEFAULT_GROWTH_WEIGHTS[id])])) as Record<
          GrowthIndicatorId,
          z.ZodDefault<z.ZodNumber>
        >,
      )
      .prefault({}),
    superHot: stageLine(0.99, 300),
    hot: stageLine(0.9, 30),
    newPotential: z
      .strictObject({
        quantile: probability.default(0.7),
        /** fewer new active listings than this in a pool: the line is taken over all its active listings */
        minNewListings: z.number().int().min(1).default(10),
      })
      .prefault({}),
    minPositiveRate: probability.default(0.9),
    keepFactor: probability.default(0.8),
    maxSuggestions: count.default(3),
    benchmark: z
      .strictObject({
        /** fewer listings than this in the next stage: the benchmark is a quantile of the pool's active listings */
        minListings: z.number().int().min(1).default(5),
        quantile: probability.default(0.9),
      })
      .prefault({}),
    actions: z
      .strictObject(
        Object.fromEntries(GROWTH_INDICATOR_IDS.map((id) => [id, z.string().min(1).max(300).default(DEFAULT_GROWTH_ACTIONS[id])])) as Record<
          GrowthIndicatorId,
          z.ZodDefault<z.ZodString>
        >,
      )
      .prefault({}),
    incentiveDays: z.strictObject({ newPotential: count.min(1).default(14), hot: count.min(1).default(30), superHot: count.min(1).default(30) }).prefault({}),
    benefits: z
      .strictObject({
        newPotential: z.string().min(1).max(300).default('new-product traffic pool'),
        hot: z.string().min(1).max(300).default('hot-product search boost'),
        superHot: z.string().min(1).max(300).default('super-hot homepage and campaign exposure'),
      })
      .prefault({}),
  })
  .superRefine((g, ctx) => {
    const sum = GROWTH_INDICATOR_IDS.reduce((s, id) => s + g.weights[id], 0);
    if (Math.abs(sum - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['weights'], message: `growth weights must sum to 1, got ${sum}` });
  });
type GrowthPolicy = z.infer<typeof growthPolicySchema>;

export { growthPolicySchema };
export type { GrowthPolicy };
