import { InputError } from './errors';
import { z } from 'zod';
import { ABILITIES, type Ability } from './abilities';
import { growthPolicySchema } from './growthPolicy';
import { INDICATOR_IDS, INDICATORS, type IndicatorId } from './indicators';
import { GRANTED_SERVICE_LEVELS, SERVICE_LEVELS } from './serviceLevels';
import { SEVERITIES, type Severity } from './severity';

const probability = z.number().min(0).max(1);
const nonNegative = z.number().finite().min(0);

const serviceLevelSchema = z.enum(SERVICE_LEVELS);
type ServiceLevel = z.infer<typeof serviceLevelSchema>;

/** One level of SPEC §7.1: every present condition must hold (rates are raw, unsmoothed). */
const serviceLevelRuleSchema = z.strictObject({
  level: z.enum(GRANTED_SERVICE_LEVELS),
  maxBadExperienceRate: probability.optional(),
  maxSellerResponsibleArbitrationRate: probability.optional(),
  minPositiveRatingRate: probability.optional(),
});

/** The criteria of one merchant tier (SPEC §7.2). */
const merchantTierCriteriaSchema = z.strictObject({
  minGmvUsd: nonNegative,
  minInStockRate: probability,
  minOnline72hRate: probability,
  minPositiveRatingRate: probability,
  serviceLevels: z.array(serviceLevelSchema).min(1),
  minCampaignOrderShare: probability,
});
const merchantCriteriaSetSchema = z.strictObject({
  gold: merchantTierCriteriaSchema,
  silver: merchantTierCriteriaSchema,
});

const goodSellerCriteriaSchema = z.strictObject({
  minGmvUsd: nonNegative,
  minPositiveRatingRate: probability,
});

const benefitsSchema = z.array(z.string().min(1));

const severitySchema = z.enum(SEVERITIES);
const findingRule = (severity: Severity) => z.strictObject({ enabled: z.boolean().default(true), severity: severitySchema.default(severity) });

/** A compliance rule (SPEC §7.5): a scheme and scope required in some markets for the categories flagged `appliesTo` ("*": all). */
const complianceRuleSchema = z.strictObject({
  scheme: z.enum(['epr', 'cpc']),
  markets: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code')).min(1),
  scope: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  appliesTo: z.enum(['*', 'electrical', 'batteries', 'textiles', 'furniture', 'childrens']),
});

const EU_CORE = ['DE', 'FR', 'ES', 'IT', 'NL', 'AT'];
const DEFAULT_COMPLIANCE_RULES: z.input<typeof complianceRuleSchema>[] = [
  { scheme: 'epr', markets: [...EU_CORE, 'PL', 'SE'], scope: 'packaging', appliesTo: '*' },
  { scheme: 'epr', markets: EU_CORE, scope: 'weee', appliesTo: 'electrical' },
  { scheme: 'epr', markets: EU_CORE, scope: 'batteries', appliesTo: 'batteries' },
  { scheme: 'epr', markets: ['FR', 'NL'], scope: 'textiles', appliesTo: 'textiles' },
  { scheme: 'epr', markets: ['FR'], scope: 'furniture', appliesTo: 'furniture' },
  { scheme: 'cpc', markets: ['US'], scope: 'childrens', appliesTo: 'childrens' },
];

/** The store health-check centre (SPEC §7.5): each rule on/off with its severity, the thresholds, the compliance rules. */
const healthCheckSchema = z.strictObject({
  rules: z
    .strictObject({
      serviceLevelAtRisk: z
        .strictObject({ enabled: z.boolean().default(true), severity: severitySchema.default('warning'), failSeverity: severitySchema.default('critical') })
        .prefault({}),
      merchantTierAtRisk: findingRule('warning').prefault({}),
      goodSellerExpiring: findingRule('warning').prefault({}),
      operationTierAtRisk: findingRule('info').prefault({}),
      fulfilmentBelowSilver: findingRule('warning').prefault({}),
      messagesUnanswered: findingRule('info').prefault({}),
      complianceMissing: findingRule('critical').prefault({}),
      complianceExpiring: findingRule('warning').prefault({}),
      dataQuality: findingRule('info').prefault({}),
    })
    .prefault({}),
  goodSellerWarningDays: z.number().int().min(0).default(30),
  minMessagesAnsweredRate: probability.default(0.8),
  complianceExpiringDays: z.number().int().min(0).default(30),
  compliance: z.array(complianceRuleSchema).default(DEFAULT_COMPLIANCE_RULES),
});
const BADGES = ['jbp', 'styled', 'plus', 'gold', 'silver'] as const;

const policySchema = z
  .strictObject({
    version: z.string().min(1),
    timeZone: z.string().min(1),
    pool: z.strictObject({ minSize: z.number().int().min(1) }),
    smoothing: z.strictObject({ rate: nonNegative, mean: nonNegative }),
    normalization: z.strictObject({ lower: probability, upper: probability }),
    weights: z.strictObject({
      shrinkage: probability,
      /** Pins indicator weights instead of the entropy model; each ability's weights sum to 1. */
      fixed: z.partialRecord(z.enum(INDICATOR_IDS), nonNegative).nullable(),
    }),
    abilityWeights: z.record(z.enum(ABILITIES), nonNegative),
    tiers: z.strictObject({
      quantiles: z.strictObject({ top: probability, highPotential: probability, mid: probability }),
      benefits: z.strictObject({ top: benefitsSchema, highPotential: benefitsSchema, mid: benefitsSchema, basic: benefitsSchema }),
      /** How many targets a next tier lists (SPEC §6); optional in older documents, which get the default. */
      maxTargets: z.number().int().min(0).max(INDICATORS.length).default(3),
    }),
    serviceLevel: z.strictObject({
      minClosedOrders: z.number().int().min(0),
      windowDays: z.number().int().min(1),
      /** the volume-adaptive window (SPEC §7.1): off when null */
      extendedWindowDays: z.number().int().min(1).max(3660).nullable().default(null),
      levels: z.array(serviceLevelRuleSchema).min(1),
    }),
    merchantTier: z.strictObject({
      windowDays: z.number().int().min(1),
      effectiveFromDay: z.number().int().min(1).max(28),
      criteria: z.strictObject({
        default: merchantCriteriaSetSchema,
        byCategory: z.record(z.string(), merchantCriteriaSetSchema),
      }),
      benefits: z.strictObject({ gold: benefitsSchema, silver: benefitsSchema, ordinary: benefitsSchema }),
    }),
    goodSeller: z.strictObject({
      grantDays: z.number().int().min(1),
      maxStoreAgeMonths: z.number().int().min(1),
      lookbackDays: z.number().int().min(1),
      criteria: z.strictObject({
        default: goodSellerCriteriaSchema,
        byCategory: z.record(z.string(), goodSellerCriteriaSchema),
      }),
    }),
    mallBenefits: benefitsSchema,
    frontBadgePriority: z.array(z.enum(BADGES)),
    dailyScoreRetentionDays: z.number().int().min(1),
    /** The health-check rules (SPEC §7.5); optional in older documents, which get the defaults. */
    healthCheck: healthCheckSchema.prefault({}),
    /** The product growth centre (SPEC §7.6); optional in older documents, which get the defaults. */
    growth: growthPolicySchema.prefault({}),
    /** Input bounds (SPEC §3.3): rows dated before `earliestDate` are invalid; optional in older documents. */
    data: z.strictObject({ earliestDate: z.iso.date() }).default({ earliestDate: '2015-01-01' }),
  })
  .superRefine((policy, ctx) => {
    const abilitySum = ABILITIES.reduce((sum, a) => sum + policy.abilityWeights[a], 0);
    if (Math.abs(abilitySum - 1) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['abilityWeights'], message: `ability weights must sum to 1, got ${abilitySum}` });
    }
    const { lower, upper } = policy.normalization;
    if (!(lower < upper)) {
      ctx.addIssue({ code: 'custom', path: ['normalization'], message: `lower (${lower}) must be below upper (${upper})` });
    }
    const q = policy.tiers.quantiles;
    if (!(q.mid <= q.highPotential && q.highPotential <= q.top)) {
      ctx.addIssue({ code: 'custom', path: ['tiers', 'quantiles'], message: 'tier quantiles must be ordered mid <= highPotential <= top' });
    }
    if (new Set(policy.frontBadgePriority).size !== policy.frontBadgePriority.length) {
      ctx.addIssue({ code: 'custom', path: ['frontBadgePriority'], message: 'a badge may appear only once' });
    }
    if (policy.weights.fixed) {
      for (const ability of ABILITIES) {
        const ids = indicatorsOfAbility(ability);
        const missing = ids.filter((id) => policy.weights.fixed?.[id] === undefined);
        const sum = ids.reduce((s, id) => s + (policy.weights.fixed?.[id] ?? 0), 0);
        if (missing.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['weights', 'fixed'], message: `${ability}: missing weights for ${missing.join(', ')}` });
        } else if (Math.abs(sum - 1) > 1e-9) {
          ctx.addIssue({ code: 'custom', path: ['weights', 'fixed'], message: `${ability}: weights must sum to 1, got ${sum}` });
        }
      }
    }
  });

type Policy = z.infer<typeof policySchema>;
type MerchantTierCriteria = z.infer<typeof merchantTierCriteriaSchema>;
type MerchantCriteriaSet = z.infer<typeof merchantCriteriaSetSchema>;
type GoodSellerCriteria = z.infer<typeof goodSellerCriteriaSchema>;
type FrontBadge = (typeof BADGES)[number];

function indicatorsOfAbility(ability: Ability): IndicatorId[] {
  return INDICATORS.filter((i) => i.ability === ability).map((i) => i.id);
}

const equalAbilityWeight = 1 / ABILITIES.length;

/** Every default of SPEC §2–§7, as version 2026.1. */
const DEFAULT_POLICY: Policy = policySchema.parse({
  version: '2026.1',
  timeZone: 'America/Los_Angeles',
  pool: { minSize: 30 },
  smoothing: { rate: 50, mean: 10 },
  normalization: { lower: 0.05, upper: 0.95 },
  weights: { shrinkage: 0.2, fixed: null },
  abilityWeights: Object.fromEntries(ABILITIES.map((a) => [a, equalAbilityWeight])),
  tiers: {
    quantiles: { top: 0.95, highPotential: 0.8, mid: 0.5 },
    benefits: {
      top: [
        'traffic: priority search exposure',
        'marketing: flagship campaign slots',
        'service: dedicated account manager',
        'growth: advanced analytics',
        'brand: top-store privileges',
      ],
      highPotential: ['traffic: boosted exposure', 'marketing: priority campaign enrolment', 'service: priority support', 'growth: growth-centre coaching'],
      mid: ['traffic: standard exposure', 'marketing: campaign enrolment', 'growth: store health check'],
      basic: ['growth: store health check', 'service: self-service training'],
    },
    maxTargets: 3,
  },
  serviceLevel: {
    minClosedOrders: 90,
    windowDays: 90,
    extendedWindowDays: null,
    levels: [
      { level: 'excellent', maxBadExperienceRate: 0.03, maxSellerResponsibleArbitrationRate: 0.008, minPositiveRatingRate: 0.97 },
      { level: 'good', maxBadExperienceRate: 0.06, maxSellerResponsibleArbitrationRate: 0.008, minPositiveRatingRate: 0.95 },
      { level: 'pass', maxBadExperienceRate: 0.12, maxSellerResponsibleArbitrationRate: 0.008 },
    ],
  },
  merchantTier: {
    windowDays: 90,
    effectiveFromDay: 15,
    criteria: {
      default: {
        gold: {
          minGmvUsd: 60000,
          minInStockRate: 0.95,
          minOnline72hRate: 0.9,
          minPositiveRatingRate: 0.95,
          serviceLevels: ['excellent', 'good'],
          minCampaignOrderShare: 0.1,
        },
        silver: {
          minGmvUsd: 15000,
          minInStockRate: 0.9,
          minOnline72hRate: 0.85,
          minPositiveRatingRate: 0.92,
          serviceLevels: ['excellent', 'good', 'pass'],
          minCampaignOrderShare: 0.05,
        },
      },
      byCategory: {},
    },
    benefits: {
      gold: ['gold merchant: traffic and campaign benefits'],
      silver: ['silver merchant: traffic and campaign benefits'],
      ordinary: [],
    },
  },
  goodSeller: {
    grantDays: 180,
    maxStoreAgeMonths: 12,
    lookbackDays: 30,
    criteria: { default: { minGmvUsd: 3000, minPositiveRatingRate: 0.9 }, byCategory: {} },
  },
  mallBenefits: ['PLUS label', 'MALL channel benefits'],
  frontBadgePriority: ['jbp', 'styled', 'plus', 'gold', 'silver'],
  dailyScoreRetentionDays: 400,
  data: { earliestDate: '2015-01-01' },
});

/** A policy document that fails its schema; `field` is the path of its first problem. */
class PolicyError extends InputError {
  constructor(message: string, field: string | null = null, options?: ErrorOptions) {
    super(message, field, options);
    this.name = 'PolicyError';
  }
}

/** Validates an operator's policy document; every problem is named by its path. */
function parsePolicy(document: unknown, source = 'policy'): Policy {
  const result = policySchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${source} is invalid: ${problems.join('; ')}`, result.error.issues[0]!.path.join('.') || null);
  }
  return result.data;
}

/** Criteria sets are looked up by category, then parent category, then the default (SPEC §7.2). */
function lookupByCategory<T>(table: { default: T; byCategory: Record<string, T> }, categoryId: string, parentId: string): T {
  // ids are data (SPEC §3.1): `constructor` or `__proto__` must not reach Object.prototype
  const own = (id: string) => (Object.hasOwn(table.byCategory, id) ? table.byCategory[id] : undefined);
  return own(categoryId) ?? own(parentId) ?? table.default;
}

export { DEFAULT_POLICY, PolicyError, complianceRuleSchema, BADGES, lookupByCategory, parsePolicy, policySchema, serviceLevelSchema };
export type { FrontBadge, GoodSellerCriteria, MerchantCriteriaSet, MerchantTierCriteria, Policy, ServiceLevel };
