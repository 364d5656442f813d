import { z } from 'zod';
import { eventId } from './eventIds';
import type { Finding } from './healthCheck';
import type { ListingRecord } from './listingRecords';
import { LISTING_DETAIL_TYPES, LISTING_EVENT_DETAIL_SCHEMAS, listingEvents } from './listingEvents';
import { MERCHANT_TIER_SOURCES, MERCHANT_TIERS } from './merchantTier';
import { OPERATION_TIERS, operationTierRank } from './operationTier';
import { BADGES } from './policy';
import type { GoodSellerGrantRecord, GradeRecord, HealthCheckRecord, StatusRecord } from './records';
import { SERVICE_LEVELS } from './serviceLevel';

/**
 * The events other services subscribe to (SPEC §8.1 promises that they react to grade changes):
 * one `detail-type` per kind of change, turned from record-level changes of the grades stream.
 */
const DETAIL_TYPES = [
  'OperationTierChanged',
  'ServiceLevelChanged',
  'MerchantTierChanged',
  'StorefrontLabelChanged',
  'GoodSellerGrantStarted',
  'GoodSellerGrantExpiring',
  'GoodSellerGrantExpired',
  'GoodSellerGrantRevoked',
  'CriticalFindingOpened',
  'CriticalFindingClosed',
  ...LISTING_DETAIL_TYPES,
] as const;
type DetailType = (typeof DETAIL_TYPES)[number];

const EVENT_SOURCE = 'seller-grader';

const common = {
  /** stable for one change: a consumer drops a repeat (the stream and EventBridge deliver at least once) */
  eventId: z.string().min(1),
  sellerId: z.string(),
  categoryId: z.string(),
  /** the month, quarter or date the change belongs to */
  period: z.string().nullable(),
  /** the business date of the evaluation that made the change */
  asOf: z.string().nullable(),
  policyVersion: z.string(),
  runId: z.string(),
};
const tier = z.enum(OPERATION_TIERS);
const level = z.enum(SERVICE_LEVELS);
const merchant = z.enum(MERCHANT_TIERS);
const badge = z.enum(BADGES);
const findingSummary = z.object({
  id: z.string(),
  area: z.string(),
  since: z.string(),
  deadline: z.string().optional(),
  action: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

/** Each detail-type's `detail`, as zod schemas; docs/events/*.schema.json are generated from them. */
const EVENT_DETAIL_SCHEMAS = {
  OperationTierChanged: z.object({ ...common, direction: z.enum(['up', 'down']), before: tier.nullable(), after: tier }).strict(),
  ServiceLevelChanged: z.object({ ...common, before: level.nullable(), after: level }).strict(),
  MerchantTierChanged: z.object({ ...common, before: merchant.nullable(), after: merchant, source: z.enum(MERCHANT_TIER_SOURCES) }).strict(),
  StorefrontLabelChanged: z.object({ ...common, before: badge.nullable(), after: badge.nullable() }).strict(),
  GoodSellerGrantStarted: z
    .object({ ...common, before: z.string().nullable(), after: z.literal('active'), approvedOn: z.string(), expiresOn: z.string() })
    .strict(),
  GoodSellerGrantExpiring: z.object({ ...common, before: z.null(), after: findingSummary, expiresOn: z.string() }).strict(),
  GoodSellerGrantExpired: z.object({ ...common, before: z.string().nullable(), after: z.literal('expired'), expiresOn: z.string() }).strict(),
  GoodSellerGrantRevoked: z.object({ ...common, before: z.string().nullable(), after: z.literal('revoked'), revokedOn: z.string().nullable() }).strict(),
  CriticalFindingOpened: z.object({ ...common, before: z.null(), after: findingSummary }).strict(),
  CriticalFindingClosed: z.object({ ...common, before: findingSummary, after: z.null() }).strict(),
  ...LISTING_EVENT_DETAIL_SCHEMAS,
} satisfies Record<DetailType, z.ZodType>;

type GradeEvent = { [T in DetailType]: { detailType: T; detail: z.infer<(typeof EVENT_DETAIL_SCHEMAS)[T]> } }[DetailType];

function statusEvents(before: StatusRecord | null, after: StatusRecord, id: string): GradeEvent[] {
  const base = { sellerId: after.sellerId, categoryId: after.categoryId, asOf: after.asOf, policyVersion: after.policyVersion, runId: after.runId };
  const events: GradeEvent[] = [];
  const t0 = before?.operationTier?.tier ?? null;
  const t1 = after.operationTier?.tier ?? null;
  if (t1 !== null && t0 !== t1) {
    const direction = t0 === null || operationTierRank[t1] > operationTierRank[t0] ? 'up' : 'down';
    events.push({
      detailType: 'OperationTierChanged',
      detail: { eventId: eventId(id, 'OperationTierChanged', ''), ...base, period: after.operationTier!.period, direction, before: t0, after: t1 },
    });
  }
  const l0 = before?.serviceLevel?.level ?? null;
  const l1 = after.serviceLevel?.level ?? null;
  if (l1 !== null && l0 !== l1) {
    events.push({
      detailType: 'ServiceLevelChanged',
      detail: { eventId: eventId(id, 'ServiceLevelChanged', ''), ...base, period: after.serviceLevel!.period, before: l0, after: l1 },
    });
  }
  const m0 = before?.merchantTier.effective ?? null;
  const m1 = after.merchantTier.effective;
  if (m0 !== m1) {
    events.push({
      detailType: 'MerchantTierChanged',
      detail: {
        eventId: eventId(id, 'MerchantTierChanged', ''),
        ...base,
        period: after.merchantTier.quarter,
        before: m0,
        after: m1,
        source: after.merchantTier.source,
      },
    });
  }
  const b0 = before?.frontBadge ?? null;
  if (before !== null ? b0 !== after.frontBadge : after.frontBadge !== null) {
    events.push({
      detailType: 'StorefrontLabelChanged',
      detail: { eventId: eventId(id, 'StorefrontLabelChanged', ''), ...base, period: after.asOf, before: b0, after: after.frontBadge },
    });
  }
  return events;
}

function grantEvents(before: GoodSellerGrantRecord | null, after: GoodSellerGrantRecord, id: string): GradeEvent[] {
  if (before?.status === after.status) return [];
  const base = {
    sellerId: after.sellerId,
    categoryId: after.categoryId,
    period: after.approvedOn,
    asOf: after.endedOn ?? after.approvedOn,
    policyVersion: after.policyVersion,
    runId: after.runId,
  };
  const was = before?.status ?? null;
  switch (after.status) {
    case 'active':
      return [
        {
          detailType: 'GoodSellerGrantStarted',
          detail: {
            eventId: eventId(id, 'GoodSellerGrantStarted', ''),
            ...base,
            before: was,
            after: 'active',
            approvedOn: after.approvedOn,
            expiresOn: after.expiresOn,
          },
        },
      ];
    case 'expired':
      return [
        {
          detailType: 'GoodSellerGrantExpired',
          detail: { eventId: eventId(id, 'GoodSellerGrantExpired', ''), ...base, before: was, after: 'expired', expiresOn: after.expiresOn },
        },
      ];
    case 'revoked':
      return [
        {
          detailType: 'GoodSellerGrantRevoked',
          detail: { eventId: eventId(id, 'GoodSellerGrantRevoked', ''), ...base, before: was, after: 'revoked', revokedOn: after.endedOn },
        },
      ];
    default:
      return [];
  }
}

const summary = (f: Finding) => ({
  id: f.id,
  area: f.area,
  since: f.since,
  ...(f.deadline ? { deadline: f.deadline } : {}),
  action: f.action,
  evidence: f.evidence,
});
const findingSubject = (f: Finding) => `${f.id}|${String(f.evidence.market ?? '')}|${String(f.evidence.scope ?? '')}`;

function healthEvents(before: HealthCheckRecord | null, after: HealthCheckRecord | null, id: string): GradeEvent[] {
  const record = (after ?? before)!;
  const base = {
    sellerId: record.sellerId,
    categoryId: record.categoryId,
    period: record.asOf,
    asOf: record.asOf,
    policyVersion: record.policyVersion,
    runId: record.runId,
  };
  const critical = (r: HealthCheckRecord | null) =>
    new Map((r?.findings ?? []).filter((f) => f.severity === 'critical').map((f) => [findingSubject(f), f as Finding]));
  const [was, is] = [critical(before), critical(after)];
  const events: GradeEvent[] = [];
  for (const [subject, f] of is) {
    if (!was.has(subject))
      events.push({
        detailType: 'CriticalFindingOpened',
        detail: { eventId: eventId(id, 'CriticalFindingOpened', subject), ...base, before: null, after: summary(f) },
      });
  }
  for (const [subject, f] of was) {
    if (!is.has(subject))
      events.push({
        detailType: 'CriticalFindingClosed',
        detail: { eventId: eventId(id, 'CriticalFindingClosed', subject), ...base, before: summary(f), after: null },
      });
  }
  const expiring = (r: HealthCheckRecord | null) => r?.findings.find((f) => f.id === 'goodSellerExpiring');
  const opened = expiring(after);
  if (opened && !expiring(before)) {
    events.push({
      detailType: 'GoodSellerGrantExpiring',
      detail: { eventId: eventId(id, 'GoodSellerGrantExpiring', ''), ...base, before: null, after: summary(opened as Finding), expiresOn: opened.deadline! },
    });
  }
  return events;
}

/**
 * The events of one record-level change of the grades stream; `changeId` names the change (the
 * stream record's id and the record's key), so the same change always gives the same event ids.
 * Daily scores, monthly and quarterly records publish nothing of their own: the status they
 * change does. Listing records publish the growth centre's events (lib/listingEvents.ts).
 */
function gradeEvents(change: { oldRecord: GradeRecord | ListingRecord | null; newRecord: GradeRecord | ListingRecord | null }, changeId: string): GradeEvent[] {
  const { oldRecord, newRecord } = change;
  if (isListingRecord(newRecord) || isListingRecord(oldRecord)) {
    return listingEvents({ oldRecord: isListingRecord(oldRecord) ? oldRecord : null, newRecord: isListingRecord(newRecord) ? newRecord : null }, changeId);
  }
  if (newRecord?.kind === 'status') return statusEvents(oldRecord?.kind === 'status' ? oldRecord : null, newRecord, changeId);
  if (newRecord?.kind === 'goodSellerGrant') return grantEvents(oldRecord?.kind === 'goodSellerGrant' ? oldRecord : null, newRecord, changeId);
  if (newRecord?.kind === 'healthCheck' || oldRecord?.kind === 'healthCheck') {
    return healthEvents(oldRecord?.kind === 'healthCheck' ? oldRecord : null, newRecord?.kind === 'healthCheck' ? newRecord : null, changeId);
  }
  return [];
}

function isListingRecord(record: GradeRecord | ListingRecord | null): record is ListingRecord {
  return record?.kind === 'listingStage' || record?.kind === 'listingIncentive';
}

export { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS, EVENT_SOURCE, gradeEvents };
export type { DetailType, GradeEvent };
