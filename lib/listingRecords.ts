import { z } from 'zod';
import { GROWTH_INDICATOR_IDS, INCENTIVE_STAGES, INCENTIVE_STATUSES, LISTING_STAGES } from './growthIndicators';

// z.number() rejects NaN and ±Infinity: nothing ever writes NaN.
const num = z.number();
const date = z.iso.date();
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const base = {
  listingId: id,
  sellerId: id,
  /** the listing's own category */
  categoryId: id,
  policyVersion: z.string().min(1),
  runId: z.string().min(1),
};

const growthIndicatorSchema = z.object({ raw: num.nullable(), value: num.min(0).max(100) }).strict();
const suggestionSchema = z.object({ indicator: z.enum(GROWTH_INDICATOR_IDS), actual: num, benchmark: num, action: z.string().min(1) }).strict();

/** A listing's current stage in the growth centre (SPEC §7.6, §10); pool fields are null for a dormant or delisted listing. */
const listingStageSchema = z
  .object({
    kind: z.literal('listingStage'),
    ...base,
    asOf: date,
    stage: z.enum(LISTING_STAGES),
    since: date,
    poolId: z.string().nullable(),
    window: z.object({ start: date, end: date }).strict(),
    growthScore: num.min(0).max(100).nullable(),
    lines: z.object({ hot: num, superHot: num, newPotential: num }).strict().nullable(),
    indicators: z
      .object(
        Object.fromEntries(GROWTH_INDICATOR_IDS.map((i) => [i, growthIndicatorSchema])) as Record<
          (typeof GROWTH_INDICATOR_IDS)[number],
          typeof growthIndicatorSchema
        >,
      )
      .strict()
      .nullable(),
    next: z
      .object({ stage: z.enum(INCENTIVE_STAGES), suggestions: z.array(suggestionSchema) })
      .strict()
      .nullable(),
  })
  .strict();

/** A traffic incentive granted to a listing that moved up (SPEC §7.6, §10). */
const listingIncentiveSchema = z
  .object({
    kind: z.literal('listingIncentive'),
    ...base,
    stage: z.enum(INCENTIVE_STAGES),
    grantedOn: date,
    expiresOn: date,
    benefit: z.string().min(1),
    status: z.enum(INCENTIVE_STATUSES),
    endedOn: date.nullable(),
  })
  .strict();

const listingRecordSchema = z.discriminatedUnion('kind', [listingStageSchema, listingIncentiveSchema]);

type ListingStageRecord = z.infer<typeof listingStageSchema>;
type ListingIncentiveRecord = z.infer<typeof listingIncentiveSchema>;
type ListingRecord = z.infer<typeof listingRecordSchema>;
type Suggestion = z.infer<typeof suggestionSchema>;

/** Validates a listing record before it leaves; a failure is a bug and fails the run loudly (SPEC §8.1). */
function validateListingRecord<T extends ListingRecord>(record: T): T {
  const result = listingRecordSchema.safeParse(record);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${record.kind} record of listing ${record.listingId} (seller ${record.sellerId}) fails its schema: ${problems}`);
  }
  return record;
}

export { listingIncentiveSchema, listingRecordSchema, listingStageSchema, suggestionSchema, validateListingRecord };
export type { ListingIncentiveRecord, ListingRecord, ListingStageRecord, Suggestion };
