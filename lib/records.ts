import { z } from 'zod';
import { FINDING_ORDER } from './findings';
import { ABILITIES } from './abilities';
import { INDICATOR_IDS } from './indicators';
import { GRANT_STATUSES } from './goodSeller';
import { MERCHANT_TIER_SOURCES, MERCHANT_TIERS } from './merchantTier';
import { OPERATION_TIERS } from './operationTier';
import { BADGES, serviceLevelSchema } from './policy';
import { SEVERITIES } from './severity';
import { targetSchema } from './targets';

// z.number() rejects NaN and ±Infinity: nothing ever writes NaN.
const num = z.number();
const date = z.iso.date();
const windowSchema = z.object({ start: date, end: date }).strict();
const abilitiesSchema = z
  .object(Object.fromEntries(ABILITIES.map((a) => [a, num.min(0).max(100)])) as Record<(typeof ABILITIES)[number], z.ZodNumber>)
  .strict();
const indicatorSchema = z.object({ raw: num.nullable(), value: num.min(0).max(100), weight: num.min(0).max(1) }).strict();
const indicatorsSchema = z
  .object(Object.fromEntries(INDICATOR_IDS.map((id) => [id, indicatorSchema])) as Record<(typeof INDICATOR_IDS)[number], typeof indicatorSchema>)
  .strict();
const operationTierName = z.enum(OPERATION_TIERS);
const merchantTierName = z.enum(MERCHANT_TIERS);
const thresholdsSchema = z.object({ top: num, highPotential: num, mid: num }).strict();
const nextTierSchema = z
  .object({
    tier: operationTierName.exclude(['basic']),
    scoreGap: num,
    focus: z.array(z.enum(ABILITIES)),
    // records written before targets (SPEC §6) existed read as having none
    targets: z.array(targetSchema).default([]),
  })
  .strict();
const benefitsSchema = z.object({ current: z.array(z.string()), next: z.array(z.string()) }).strict();

const base = {
  sellerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  categoryId: z.string(),
  policyVersion: z.string().min(1),
  runId: z.string().min(1),
};

/** The criterion lines of a merchant assessment (SPEC §7.2). */
const criterionSchema = z
  .object({
    id: z.enum(['gmvUsd', 'inStockRate', 'online72hRate', 'positiveRatingRate', 'serviceLevel', 'campaignOrderShare']),
    actual: z.union([num, z.string()]).nullable(),
    required: z.string(),
    met: z.boolean(),
  })
  .strict();
const criteriaSchema = z.object({ gold: z.array(criterionSchema), silver: z.array(criterionSchema) }).strict();

const dailyScoreSchema = z
  .object({
    kind: z.literal('dailyScore'),
    ...base,
    date,
    window: windowSchema,
    poolId: z.string().nullable(),
    composite: num.min(0).max(100).nullable(),
    abilities: abilitiesSchema.nullable(),
    indicators: indicatorsSchema.nullable(),
    projectedTier: z
      .object({
        tier: operationTierName,
        reason: z.enum(['scored', 'inactive']),
        thresholds: thresholdsSchema.nullable(),
        nextTier: nextTierSchema.nullable(),
      })
      .strict(),
    projectedMerchant: z
      .object({
        assessedTier: merchantTierName,
        window: windowSchema,
        unmet: z.object({ gold: z.array(criterionSchema.shape.id), silver: z.array(criterionSchema.shape.id) }).strict(),
      })
      .strict(),
    /** epoch seconds after which DynamoDB TTL deletes the record (SPEC §8.1: kept 400 days) */
    expiresAt: z.number().int(),
  })
  .strict();

const operationTierSchema = z
  .object({
    kind: z.literal('operationTier'),
    ...base,
    period: z.string().regex(/^\d{4}-\d{2}$/),
    window: windowSchema,
    poolId: z.string().nullable(),
    tier: operationTierName,
    reason: z.enum(['scored', 'inactive']),
    composite: num.min(0).max(100).nullable(),
    abilities: abilitiesSchema.nullable(),
    indicators: indicatorsSchema.nullable(),
    thresholds: thresholdsSchema.nullable(),
    nextTier: nextTierSchema.nullable(),
    benefits: benefitsSchema,
  })
  .strict();

const unmetSchema = z.object({ id: z.string(), actual: num.nullable(), required: z.string(), for: z.string() }).strict();
const serviceLevelRecordSchema = z
  .object({
    kind: z.literal('serviceLevel'),
    ...base,
    period: z.string().regex(/^\d{4}-\d{2}$/),
    window: windowSchema,
    level: serviceLevelSchema,
    closedOrders: num.int().min(0),
    badExperienceRate: num.nullable(),
    sellerResponsibleArbitrationRate: num.nullable(),
    positiveRatingRate: num.nullable(),
    unmet: z.array(unmetSchema),
  })
  .strict();

const merchantAssessmentSchema = z
  .object({
    kind: z.literal('merchantAssessment'),
    ...base,
    quarter: z.string().regex(/^\d{4}-Q[1-4]$/),
    window: windowSchema,
    effectiveFrom: date,
    effectiveUntil: date,
    assessedTier: merchantTierName,
    criteria: criteriaSchema,
  })
  .strict();

const goodSellerGrantSchema = z
  .object({
    kind: z.literal('goodSellerGrant'),
    ...base,
    appliedOn: date,
    approvedOn: date,
    approvedBy: z.string().min(1),
    note: z.string().nullable(),
    expiresOn: date,
    status: z.enum(GRANT_STATUSES),
    endedOn: date.nullable(),
    revokedBy: z.string().nullable(),
  })
  .strict();

const statusSchema = z
  .object({
    kind: z.literal('status'),
    ...base,
    asOf: date,
    operationTier: z.object({ tier: operationTierName, period: z.string() }).strict().nullable(),
    serviceLevel: z.object({ level: serviceLevelSchema, period: z.string() }).strict().nullable(),
    merchantTier: z
      .object({
        effective: merchantTierName,
        assessed: merchantTierName,
        source: z.enum(MERCHANT_TIER_SOURCES),
        quarter: z.string().nullable(),
      })
      .strict(),
    goodSeller: z
      .object({ status: z.enum(GRANT_STATUSES), expiresOn: date })
      .strict()
      .nullable(),
    mall: z.boolean(),
    jbp: z.boolean(),
    styled: z.boolean(),
    frontBadge: z.enum(BADGES).nullable(),
    benefits: z.array(z.string()),
  })
  .strict();

/** An open finding of the health check (SPEC §7.5). */
const findingSchema = z
  .object({
    id: z.enum(FINDING_ORDER),
    area: z.string(),
    severity: z.enum(SEVERITIES),
    since: date,
    deadline: date.optional(),
    action: z.string().min(1),
    evidence: z.record(z.string(), z.unknown()),
  })
  .strict();

/** A seller's current health check: its open findings (SPEC §7.5, §8.1). */
const healthCheckRecordSchema = z
  .object({
    kind: z.literal('healthCheck'),
    ...base,
    asOf: date,
    findings: z.array(findingSchema),
  })
  .strict();

/** Every grade record of SPEC §8.1/§10, discriminated by `kind`. */
const gradeRecordSchema = z.discriminatedUnion('kind', [
  dailyScoreSchema,
  operationTierSchema,
  serviceLevelRecordSchema,
  merchantAssessmentSchema,
  goodSellerGrantSchema,
  statusSchema,
  healthCheckRecordSchema,
]);

/** A quarantined input row with the rule it broke (SPEC §3.3). */
const quarantineSchema = z
  .object({
    kind: z.literal('quarantine'),
    source: z.enum(['metrics', 'sellers', 'categories', 'grants', 'grades', 'orders', 'exclusions', 'exposure', 'registrations', 'listings', 'listingMetrics']),
    key: z.record(z.string(), z.unknown()),
    reason: z.string().min(1),
  })
  .strict();

type DailyScoreRecord = z.infer<typeof dailyScoreSchema>;
type OperationTierRecord = z.infer<typeof operationTierSchema>;
type ServiceLevelRecord = z.infer<typeof serviceLevelRecordSchema>;
type MerchantAssessmentRecord = z.infer<typeof merchantAssessmentSchema>;
type GoodSellerGrantRecord = z.infer<typeof goodSellerGrantSchema>;
type StatusRecord = z.infer<typeof statusSchema>;
type HealthCheckRecord = z.infer<typeof healthCheckRecordSchema>;
type GradeRecord = z.infer<typeof gradeRecordSchema>;
type GradeKind = GradeRecord['kind'];
type QuarantineRecord = z.infer<typeof quarantineSchema>;
type IndicatorsField = z.infer<typeof indicatorsSchema>;
type AbilitiesField = z.infer<typeof abilitiesSchema>;

const GRADE_KINDS = [
  'dailyScore',
  'operationTier',
  'serviceLevel',
  'merchantAssessment',
  'goodSellerGrant',
  'status',
  'healthCheck',
] as const satisfies readonly GradeKind[];
/** The kinds of record kept one per seller and period (a month or a quarter), under `${kind}#${period}`. */
const PERIOD_KINDS = ['operationTier', 'serviceLevel', 'merchantAssessment'] as const satisfies readonly GradeKind[];
type PeriodKind = (typeof PERIOD_KINDS)[number];
const isPeriodKind = (kind: string | undefined): kind is PeriodKind => (PERIOD_KINDS as readonly (string | undefined)[]).includes(kind);

class InvalidRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidRecordError';
  }
}

/** Validates a record before it leaves; a failure is a bug and fails the run loudly (SPEC §8.1). */
function validateRecord<T extends GradeRecord>(record: T): T {
  const result = gradeRecordSchema.safeParse(record);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidRecordError(`${record.kind} record of seller ${record.sellerId} fails its schema: ${problems}`);
  }
  return record;
}

export {
  GRADE_KINDS,
  InvalidRecordError,
  PERIOD_KINDS,
  isPeriodKind,
  dailyScoreSchema,
  goodSellerGrantSchema,
  gradeRecordSchema,
  healthCheckRecordSchema,
  merchantAssessmentSchema,
  operationTierSchema,
  quarantineSchema,
  serviceLevelRecordSchema,
  statusSchema,
  validateRecord,
};
export type {
  AbilitiesField,
  DailyScoreRecord,
  GoodSellerGrantRecord,
  GradeKind,
  GradeRecord,
  HealthCheckRecord,
  IndicatorsField,
  MerchantAssessmentRecord,
  OperationTierRecord,
  PeriodKind,
  QuarantineRecord,
  ServiceLevelRecord,
  StatusRecord,
};
