import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Publication } from './policyVersions';

/** The change event of a policy publication (SPEC §9); the grade events are in lib/gradeEvents.ts. */
const POLICY_PUBLISHED = 'PolicyPublished';

const policyPublishedSchema = z
  .object({
    /** stable for one publication: a repeat (a re-publication, a retried announcement) has the same id */
    eventId: z.string().min(1),
    version: z.string(),
    /** the first month the version grades */
    from: z.string(),
    /** the version in force for `from` before this one */
    previousVersion: z.string(),
    /** the policy entries that differ from `previousVersion`, as paths (`tiers.quantiles.top`) */
    entries: z.array(z.string()),
    publishedBy: z.string(),
    publishedAt: z.string(),
    reason: z.string(),
  })
  .strict();
type PolicyPublishedDetail = z.infer<typeof policyPublishedSchema>;

/** The event announcing a publication; its id depends only on the version, so consumers drop repeats. */
function policyPublishedEvent(publication: Publication & { from: string; publishedAt: string }, previousVersion: string, entries: string[]) {
  const detail: PolicyPublishedDetail = {
    eventId: createHash('sha256').update(`${POLICY_PUBLISHED}|${publication.version}`).digest('base64url').slice(0, 32),
    version: publication.version,
    from: publication.from,
    previousVersion,
    entries,
    publishedBy: publication.publishedBy,
    publishedAt: publication.publishedAt,
    reason: publication.reason,
  };
  return { detailType: POLICY_PUBLISHED, detail: policyPublishedSchema.parse(detail) } as const;
}

export { POLICY_PUBLISHED, policyPublishedEvent, policyPublishedSchema };
export type { PolicyPublishedDetail };
