import { z } from 'zod';
import { EVENT_DETAIL_SCHEMAS, type DetailType } from './gradeEvents';
import { listingIncentiveSchema, listingStageSchema } from './listingRecords';
import { POLICY_PUBLISHED, policyPublishedSchema } from './policyEvents';
import {
  dailyScoreSchema,
  goodSellerGrantSchema,
  healthCheckRecordSchema,
  merchantAssessmentSchema,
  operationTierSchema,
  quarantineSchema,
  serviceLevelRecordSchema,
  statusSchema,
} from './records';

/** The stream contract: one JSON Schema per record kind (SPEC §10), from the zod schemas every write is validated with. */
const RECORD_SCHEMAS = {
  dailyScore: dailyScoreSchema,
  operationTier: operationTierSchema,
  serviceLevel: serviceLevelRecordSchema,
  merchantAssessment: merchantAssessmentSchema,
  goodSellerGrant: goodSellerGrantSchema,
  status: statusSchema,
  healthCheck: healthCheckRecordSchema,
  quarantine: quarantineSchema,
  listingStage: listingStageSchema,
  listingIncentive: listingIncentiveSchema,
} as const;

const withId = (id: string, title: string, schema: z.ZodType) => ({
  $id: `https://seller-grader.example/schemas/${id}.schema.json`,
  title,
  ...z.toJSONSchema(schema, { target: 'draft-2020-12' }),
});

/** Every published schema by file name (under docs/): records, then change events. */
function publishedSchemas(): Record<string, object> {
  const files: Record<string, object> = {};
  for (const [kind, schema] of Object.entries(RECORD_SCHEMAS)) files[`schemas/${kind}.schema.json`] = withId(kind, `seller-grader ${kind} record`, schema);
  for (const [type, schema] of Object.entries(EVENT_DETAIL_SCHEMAS) as [DetailType, z.ZodType][]) {
    files[`events/${type}.schema.json`] = withId(`events/${type}`, `seller-grader ${type} event detail`, schema);
  }
  files[`events/${POLICY_PUBLISHED}.schema.json`] = withId(
    `events/${POLICY_PUBLISHED}`,
    `seller-grader ${POLICY_PUBLISHED} event detail`,
    policyPublishedSchema,
  );
  return files;
}

export { RECORD_SCHEMAS, publishedSchemas };
