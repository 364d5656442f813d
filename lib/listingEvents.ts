import { z } from 'zod';
import { eventId } from './eventIds';
import { INCENTIVE_STAGES, INCENTIVE_STATUSES, LISTING_STAGES } from './growthIndicators';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from './listingRecords';

/** The product growth centre's events (SPEC §7.6, §8.1), turned from changes of `listingStage` and `listingIncentive` records. */
const LISTING_DETAIL_TYPES = ['ListingStageChanged', 'ListingIncentiveGranted', 'ListingIncentiveEnded'] as const;
type ListingDetailType = (typeof LISTING_DETAIL_TYPES)[number];

const common = {
  /** stable for one change: a consumer drops a repeat (the stream and EventBridge deliver at least once) */
  eventId: z.string().min(1),
  listingId: z.string(),
  sellerId: z.string(),
  /** the listing's own category */
  categoryId: z.string(),
  /** the date the change belongs to: the stage's `asOf`, the incentive's `grantedOn` */
  period: z.string(),
  /** the business date of the evaluation that made the change */
  asOf: z.string(),
  policyVersion: z.string(),
  runId: z.string(),
};
const stage = z.enum(LISTING_STAGES);
const status = z.enum(INCENTIVE_STATUSES);
const incentive = {
  stage: z.enum(INCENTIVE_STAGES),
  grantedOn: z.string(),
  expiresOn: z.string(),
  benefit: z.string(),
};

/** Each detail-type's `detail`, as zod schemas; docs/events/*.schema.json are generated from them. */
const LISTING_EVENT_DETAIL_SCHEMAS = {
  ListingStageChanged: z
    .object({
      ...common,
      /** by the order of LISTING_STAGES (delisted, dormant, standard, newPotential, hot, superHot); a first stage is `up` */
      direction: z.enum(['up', 'down']),
      before: stage.nullable(),
      after: stage,
      since: z.string(),
      poolId: z.string().nullable(),
      growthScore: z.number().nullable(),
    })
    .strict(),
  /** `before` is null for a new grant; a status when a re-run of an earlier date puts an ended incentive back in force */
  ListingIncentiveGranted: z.object({ ...common, ...incentive, before: status.nullable(), after: z.literal('active') }).strict(),
  ListingIncentiveEnded: z
    .object({
      ...common,
      ...incentive,
      before: status.nullable(),
      after: z.enum(['superseded', 'expired', 'ended']),
      endedOn: z.string().nullable(),
    })
    .strict(),
} satisfies Record<ListingDetailType, z.ZodType>;

type ListingEvent = {
  [T in ListingDetailType]: { detailType: T; detail: z.infer<(typeof LISTING_EVENT_DETAIL_SCHEMAS)[T]> };
}[ListingDetailType];

const STAGE_ORDER = Object.fromEntries(LISTING_STAGES.map((s, i) => [s, i])) as Record<(typeof LISTING_STAGES)[number], number>;

function stageEvents(before: ListingStageRecord | null, after: ListingStageRecord, id: string): ListingEvent[] {
  if (before?.stage === after.stage) return [];
  const direction = before === null || STAGE_ORDER[after.stage] > STAGE_ORDER[before.stage] ? 'up' : 'down';
  return [
    {
      detailType: 'ListingStageChanged',
      detail: {
        eventId: eventId(id, 'ListingStageChanged', ''),
        listingId: after.listingId,
        sellerId: after.sellerId,
        categoryId: after.categoryId,
        period: after.asOf,
        asOf: after.asOf,
        policyVersion: after.policyVersion,
        runId: after.runId,
        direction,
        before: before?.stage ?? null,
        after: after.stage,
        since: after.since,
        poolId: after.poolId,
        growthScore: after.growthScore,
      },
    },
  ];
}

function incentiveEvents(before: ListingIncentiveRecord | null, after: ListingIncentiveRecord, id: string): ListingEvent[] {
  if (before?.status === after.status) return [];
  const base = {
    listingId: after.listingId,
    sellerId: after.sellerId,
    categoryId: after.categoryId,
    period: after.grantedOn,
    policyVersion: after.policyVersion,
    runId: after.runId,
    stage: after.stage,
    grantedOn: after.grantedOn,
    expiresOn: after.expiresOn,
    benefit: after.benefit,
  };
  const was = before?.status ?? null;
  if (after.status === 'active') {
    return [
      {
        detailType: 'ListingIncentiveGranted',
        detail: { eventId: eventId(id, 'ListingIncentiveGranted', ''), ...base, asOf: after.grantedOn, before: was, after: 'active' },
      },
    ];
  }
  return [
    {
      detailType: 'ListingIncentiveEnded',
      detail: {
        eventId: eventId(id, 'ListingIncentiveEnded', ''),
        ...base,
        asOf: after.endedOn ?? after.grantedOn,
        before: was,
        after: after.status,
        endedOn: after.endedOn,
      },
    },
  ];
}

/**
 * The events of one record-level change of a listing record; `changeId` names the change (the
 * stream record's id and the record's key), so the same change always gives the same event ids.
 * A stage record rewritten for its suggestions or numbers alone, or an incentive whose status
 * stayed, publishes nothing; so does a removed record (a job never removes one).
 */
function listingEvents(change: { oldRecord: ListingRecord | null; newRecord: ListingRecord | null }, changeId: string): ListingEvent[] {
  const { oldRecord, newRecord } = change;
  if (newRecord?.kind === 'listingStage') return stageEvents(oldRecord?.kind === 'listingStage' ? oldRecord : null, newRecord, changeId);
  if (newRecord?.kind === 'listingIncentive') return incentiveEvents(oldRecord?.kind === 'listingIncentive' ? oldRecord : null, newRecord, changeId);
  return [];
}

export { LISTING_DETAIL_TYPES, LISTING_EVENT_DETAIL_SCHEMAS, listingEvents };
export type { ListingDetailType, ListingEvent };
