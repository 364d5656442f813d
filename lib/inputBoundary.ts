import { z } from 'zod';
import { isCalendarDate } from './calendar';
import { GRANT_STATUSES, type GoodSellerGrant } from './goodSeller';
import {
  categorySchema,
  describeIssues,
  exposureSchema,
  grantInputSchema,
  registrationSchema,
  sellerProfileSchema,
  type Category,
  type Exposure,
  type Registration,
  type SellerProfile,
} from './inputs';
import { INCENTIVE_STAGES, INCENTIVE_STATUSES, LISTING_STAGES } from './growthIndicators';
import { writtenValue, type InputLine } from './jsonLines';
import { checkListingRow, listingSchema, type Listing, type ListingMetricRow } from './listings';
import { MERCHANT_TIERS } from './merchantTier';
import { checkMetricRow, METRIC_FIELDS, type MetricRow } from './metrics';
import { OPERATION_TIERS } from './operationTier';
import { appealDecisionSchema, orderFeedSchema, type AppealDecisionInput, type OrderFeedLine } from './orderOutcomes';
import type { Policy } from './policy';
import type { QuarantineRecord } from './records';
import { SeenSellerDays } from './seenSellerDays';
import { SERVICE_LEVELS } from './serviceLevel';
import { boundedKeyValue, shown } from './shown';

type Source = QuarantineRecord['source'];

/** The days a listing is listed: rows outside them are invalid (SPEC §3.5). */
interface ListedSpan {
  listedOn: string;
  delistedOn: string | null;
}

/** A valid seller profile with the parent of its category: the pool keys a job needs. */
interface AcceptedSeller {
  profile: SellerProfile;
  parentId: string;
}

/** What the store already holds, for an import that adds to it; offline scoring starts empty. */
interface KnownInputs {
  categories?: Iterable<Category>;
  sellers?: Iterable<{ sellerId: string; categoryId: string }>;
  grants?: Iterable<GoodSellerGrant>;
  listings?: Iterable<Pick<Listing, 'listingId' | 'listedOn' | 'delistedOn'>>;
}

interface BoundaryOptions {
  policy: Policy;
  /** the business date the rows are ingested on: a row dated later is invalid (SPEC §3.3) */
  ingestedOn: string;
}

const fieldsOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const KEY_FIELDS: Record<Source, readonly string[]> = {
  categories: ['categoryId'],
  sellers: ['sellerId'],
  metrics: ['sellerId', 'date'],
  grants: ['sellerId', 'approvedOn'],
  grades: ['sellerId', 'kind'],
  orders: ['orderId', 'updatedAt'],
  exclusions: ['orderId', 'on'],
  exposure: ['sellerId', 'categoryId', 'market', 'asOf'],
  registrations: ['sellerId', 'scheme', 'market', 'scope', 'registrationId'],
  listings: ['listingId'],
  listingMetrics: ['listingId', 'date'],
};

/**
 * The one input boundary of the product (SPEC §3.3): every path — offline scoring, import into the
 * tables, a job's reading of rows — validates each input kind here, so the same line gets the same
 * verdict and the same quarantine reason everywhere. Each method returns the valid row, or `null`
 * after quarantining it; the first valid row of a repeated key stands.
 */
class InputBoundary {
  readonly quarantined: QuarantineRecord[] = [];
  private readonly categories = new Map<string, Category>();
  private readonly knownCategories: ReadonlyMap<string, Category>;
  private readonly sellers = new Map<string, AcceptedSeller>();
  private readonly knownSellers: ReadonlySet<string>;
  private readonly grants = new Map<string, GoodSellerGrant>();
  private readonly knownGrants: ReadonlyMap<string, GoodSellerGrant>;
  private readonly metricKeys = new SeenSellerDays();
  private readonly listings = new Map<string, ListedSpan>();
  private readonly knownListings: ReadonlyMap<string, ListedSpan>;
  private readonly listingMetricKeys = new SeenSellerDays();
  private readonly exposureKeys = new Set<string>();
  private readonly registrationKeys = new Set<string>();
  private readonly earliestDate: string;
  private readonly ingestedOn: string;

  constructor(options: BoundaryOptions, known: KnownInputs = {}) {
    this.earliestDate = options.policy.data.earliestDate;
    this.ingestedOn = options.ingestedOn;
    this.knownCategories = new Map([...(known.categories ?? [])].map((c) => [c.categoryId, c]));
    this.knownSellers = new Set([...(known.sellers ?? [])].map((s) => s.sellerId));
    this.knownGrants = new Map([...(known.grants ?? [])].map((g) => [g.sellerId, g]));
    this.knownListings = new Map([...(known.listings ?? [])].map((l) => [l.listingId, { listedOn: l.listedOn, delistedOn: l.delistedOn ?? null }]));
  }

  /** A category row (SPEC §3.1). */
  category(input: InputLine): Category | null {
    const value = this.readable('categories', input);
    if (value === undefined) return null;
    const parsed = categorySchema.safeParse(value);
    if (!parsed.success) return this.refuse('categories', input, describeIssues(parsed.error));
    const c = parsed.data;
    if (this.categories.has(c.categoryId)) return this.refuse('categories', input, `category ${c.categoryId}: repeats an earlier row; the first one stands`);
    this.categories.set(c.categoryId, c);
    return c;
  }

  /** A seller profile (SPEC §3.2); its category must be known by now. */
  seller(input: InputLine): AcceptedSeller | null {
    const value = this.readable('sellers', input);
    if (value === undefined) return null;
    const parsed = sellerProfileSchema.safeParse(value);
    if (!parsed.success) return this.refuse('sellers', input, describeIssues(parsed.error));
    const s = parsed.data;
    if (this.sellers.has(s.sellerId)) return this.refuse('sellers', input, `seller ${s.sellerId}: repeats an earlier row; the first one stands`);
    const category = this.categories.get(s.categoryId) ?? this.knownCategories.get(s.categoryId);
    if (!category) return this.refuse('sellers', input, `seller ${s.sellerId}: categoryId ${s.categoryId} is not a known category`);
    const accepted = { profile: s, parentId: category.parentId };
    this.sellers.set(s.sellerId, accepted);
    return accepted;
  }

  /** A Good Seller grant already made (SPEC §3.3, §7.3): in order, in range, one per seller. */
  grant(input: InputLine): GoodSellerGrant | null {
    const value = this.readable('grants', input);
    if (value === undefined) return null;
    const parsed = grantInputSchema.safeParse(value);
    if (!parsed.success) return this.refuse('grants', input, describeIssues(parsed.error));
    const g = parsed.data;
    const who = `seller ${g.sellerId}`;
    if (!this.isSeller(g.sellerId)) return this.refuse('grants', input, `${who}: unknown seller`);
    if (g.approvedOn < g.appliedOn) return this.refuse('grants', input, `${who}: approvedOn (${g.approvedOn}) is before appliedOn (${g.appliedOn})`);
    if (g.revokedOn && g.revokedOn < g.approvedOn)
      return this.refuse('grants', input, `${who}: revokedOn (${g.revokedOn}) is before approvedOn (${g.approvedOn})`);
    const tooEarly = this.beforeEarliest(g.appliedOn);
    if (tooEarly) return this.refuse('grants', input, `${who}: appliedOn ${tooEarly}`);
    for (const field of ['approvedOn', 'revokedOn'] as const) {
      const future = g[field] ? this.afterIngestion(g[field]) : null;
      if (future) return this.refuse('grants', input, `${who}: ${field} ${future}`);
    }
    if (this.grants.has(g.sellerId)) return this.refuse('grants', input, `${who}: a seller has at most one grant; the first one stands`);
    const stored = this.knownGrants.get(g.sellerId);
    if (stored && (stored.appliedOn !== g.appliedOn || stored.approvedOn !== g.approvedOn)) {
      return this.refuse('grants', input, `${who}: a seller has at most one grant; the store holds one approved on ${stored.approvedOn}`);
    }
    this.grants.set(g.sellerId, g);
    return g;
  }

  /** A daily metric row (SPEC §3.3). */
  metric(input: InputLine): MetricRow | null {
    const value = this.readable('metrics', input);
    if (value === undefined) return null;
    const { sellerId, date } = fieldsOf(value);
    const dated = typeof date === 'string' && isCalendarDate(date);
    const label = `seller ${shown(sellerId)}, ${shown(date)}`;
    if (dated && typeof sellerId === 'string') {
      if (!this.metricKeys.add(sellerId, date))
        return this.refuse('metrics', input, `${label}: repeats the key (sellerId, date) of an earlier row; the first one stands`);
    }
    const verdict = checkMetricRow(value);
    if (!verdict.valid) return this.refuse('metrics', input, this.quoted(input, value, verdict.reason));
    const { row } = verdict;
    const outOfRange = this.beforeEarliest(row.date) ?? this.afterIngestion(row.date);
    if (outOfRange) return this.refuse('metrics', input, `${label}: date ${outOfRange}`);
    if (!this.isSeller(row.sellerId)) return this.refuse('metrics', input, `${label}: unknown seller`);
    return row;
  }

  /** A line of the order feed (SPEC §3.4): its schema, a known seller, `closedOn` in range. */
  order(input: InputLine): OrderFeedLine | null {
    const value = this.readable('orders', input);
    if (value === undefined) return null;
    const parsed = orderFeedSchema.safeParse(value);
    if (!parsed.success) return this.refuse('orders', input, `order ${shown(value.orderId)}: ${describeIssues(parsed.error)}`);
    const o = parsed.data;
    const who = `order ${o.orderId}, seller ${o.sellerId}`;
    const outOfRange = this.beforeEarliest(o.closedOn) ?? this.afterIngestion(o.closedOn);
    if (outOfRange) return this.refuse('orders', input, `${who}: closedOn ${outOfRange}`);
    if (!this.isSeller(o.sellerId)) return this.refuse('orders', input, `${who}: unknown seller`);
    return o;
  }

  /** An appeal decision (SPEC §3.4 "Appeals"): its schema and `on` in range; the order may not be received yet. */
  exclusion(input: InputLine): AppealDecisionInput | null {
    const value = this.readable('exclusions', input);
    if (value === undefined) return null;
    const parsed = appealDecisionSchema.safeParse(value);
    if (!parsed.success) return this.refuse('exclusions', input, `order ${shown(value.orderId)}: ${describeIssues(parsed.error)}`);
    const d = parsed.data;
    const outOfRange = this.beforeEarliest(d.on) ?? this.afterIngestion(d.on);
    if (outOfRange) return this.refuse('exclusions', input, `order ${d.orderId}: on ${outOfRange}`);
    return d;
  }

  /** A market-exposure row (SPEC §7.5): known seller and category, `asOf` in range, one row per (seller, category, market, asOf). */
  exposure(input: InputLine): Exposure | null {
    const value = this.readable('exposure', input);
    if (value === undefined) return null;
    const parsed = exposureSchema.safeParse(value);
    if (!parsed.success) return this.refuse('exposure', input, `seller ${shown(value.sellerId)}: ${describeIssues(parsed.error)}`);
    const e = parsed.data;
    const who = `seller ${e.sellerId}, ${e.categoryId} in ${e.market}`;
    const outOfRange = this.beforeEarliest(e.asOf) ?? this.afterIngestion(e.asOf);
    if (outOfRange) return this.refuse('exposure', input, `${who}: asOf ${outOfRange}`);
    if (!this.isSeller(e.sellerId)) return this.refuse('exposure', input, `${who}: unknown seller`);
    if (!this.isCategory(e.categoryId)) return this.refuse('exposure', input, `${who}: categoryId ${e.categoryId} is not a known category`);
    const key = `${e.sellerId}|${e.categoryId}|${e.market}|${e.asOf}`;
    if (this.exposureKeys.has(key))
      return this.refuse('exposure', input, `${who}: repeats the key (sellerId, categoryId, market, asOf) of an earlier row; the first one stands`);
    this.exposureKeys.add(key);
    return e;
  }

  /** A compliance registration (SPEC §7.5): known seller, `validFrom` not after `validUntil`, one row per registration. */
  registration(input: InputLine): Registration | null {
    const value = this.readable('registrations', input);
    if (value === undefined) return null;
    const parsed = registrationSchema.safeParse(value);
    if (!parsed.success) return this.refuse('registrations', input, `seller ${shown(value.sellerId)}: ${describeIssues(parsed.error)}`);
    const r = parsed.data;
    const who = `seller ${r.sellerId}, ${r.scheme} ${r.scope} in ${r.market}`;
    const tooEarly = this.beforeEarliest(r.validFrom);
    if (tooEarly) return this.refuse('registrations', input, `${who}: validFrom ${tooEarly}`);
    if (!this.isSeller(r.sellerId)) return this.refuse('registrations', input, `${who}: unknown seller`);
    const key = `${r.sellerId}|${r.scheme}|${r.market}|${r.scope}|${r.registrationId}`;
    if (this.registrationKeys.has(key)) return this.refuse('registrations', input, `${who}: repeats registration ${r.registrationId}; the first one stands`);
    this.registrationKeys.add(key);
    return r;
  }

  /** A listing (SPEC §3.5): known seller and category, dates in range and in order, the first of a repeated id. */
  listing(input: InputLine): Listing | null {
    const value = this.readable('listings', input);
    if (value === undefined) return null;
    const parsed = listingSchema.safeParse(value);
    if (!parsed.success) return this.refuse('listings', input, `listing ${shown(value.listingId)}: ${describeIssues(parsed.error)}`);
    const l = parsed.data;
    const who = `listing ${l.listingId}, seller ${l.sellerId}`;
    for (const field of ['listedOn', 'delistedOn'] as const) {
      const d = l[field];
      const outOfRange = d ? (this.beforeEarliest(d) ?? this.afterIngestion(d)) : null;
      if (outOfRange) return this.refuse('listings', input, `${who}: ${field} ${outOfRange}`);
    }
    if (!this.isSeller(l.sellerId)) return this.refuse('listings', input, `${who}: unknown seller`);
    if (!this.isCategory(l.categoryId)) return this.refuse('listings', input, `${who}: categoryId ${l.categoryId} is not a known category`);
    if (this.listings.has(l.listingId)) return this.refuse('listings', input, `${who}: repeats an earlier row; the first one stands`);
    this.listings.set(l.listingId, { listedOn: l.listedOn, delistedOn: l.delistedOn ?? null });
    return l;
  }

  /**
   * A listing's daily row (SPEC §3.5). `inScope` limits a job to the rows it reads, like `metric`:
   * a row dated in range outside it is neither used nor checked.
   */
  listingMetric(input: InputLine, inScope?: (date: string) => boolean): ListingMetricRow | null {
    const value = this.readable('listingMetrics', input);
    if (value === undefined) return null;
    const { listingId, date } = fieldsOf(value);
    const dated = typeof date === 'string' && isCalendarDate(date);
    const inRange = dated && !this.beforeEarliest(date) && !this.afterIngestion(date);
    if (inRange && inScope && !inScope(date)) return null;
    const label = `listing ${shown(listingId)}, ${shown(date)}`;
    if (dated && typeof listingId === 'string') {
      if (!this.listingMetricKeys.add(listingId, date))
        return this.refuse('listingMetrics', input, `${label}: repeats the key (listingId, date) of an earlier row; the first one stands`);
    }
    const verdict = checkListingRow(value);
    if (!verdict.valid) return this.refuse('listingMetrics', input, verdict.reason);
    const { row } = verdict;
    const outOfRange = this.beforeEarliest(row.date) ?? this.afterIngestion(row.date);
    if (outOfRange) return this.refuse('listingMetrics', input, `${label}: date ${outOfRange}`);
    const span = this.listings.get(row.listingId) ?? this.knownListings.get(row.listingId);
    if (!span) return this.refuse('listingMetrics', input, `${label}: unknown listing`);
    if (row.date < span.listedOn) return this.refuse('listingMetrics', input, `${label}: date is before the listing's listedOn (${span.listedOn})`);
    if (span.delistedOn && row.date > span.delistedOn)
      return this.refuse('listingMetrics', input, `${label}: date is after the listing's delistedOn (${span.delistedOn})`);
    return row;
  }

  isCategory(categoryId: string): boolean {
    return this.categories.has(categoryId) || this.knownCategories.has(categoryId);
  }

  /** Refuses a row that failed a rule the caller checks (a job's own reading, an operator's request). */
  refuse(source: Source, input: InputLine, reason: string): null {
    const line = input.line;
    const key: Record<string, unknown> = line === undefined ? {} : { line };
    // a raw key field is kept bounded: the record must fit a DynamoDB key and item whatever the line held
    if ('value' in input) for (const f of KEY_FIELDS[source]) key[f] = boundedKeyValue(fieldsOf(input.value)[f] ?? null);
    this.quarantined.push({ kind: 'quarantine', source, key, reason });
    return null;
  }

  isSeller(sellerId: string): boolean {
    return this.sellers.has(sellerId) || this.knownSellers.has(sellerId);
  }

  /** The object on the line, or `undefined` after quarantining a line that holds none. */
  private readable(source: Source, input: InputLine): Record<string, unknown> | undefined {
    if ('unreadable' in input) {
      this.refuse(source, input, input.unreadable);
      return undefined;
    }
    if (typeof input.value !== 'object' || input.value === null || Array.isArray(input.value)) {
      this.refuse(source, input, `row is not a JSON object: ${shown(input.value)}`);
      return undefined;
    }
    return input.value as Record<string, unknown>;
  }

  private beforeEarliest(date: string): string | null {
    return date < this.earliestDate ? `(${date}) is before data.earliestDate (${this.earliestDate})` : null;
  }

  private afterIngestion(date: string): string | null {
    return date > this.ingestedOn ? `(${date}) is after the date it was ingested on (${this.ingestedOn})` : null;
  }

  /** A metric reason, with a number JSON cannot hold quoted as it was written (`1e309`, not `null`). */
  private quoted(input: InputLine, value: Record<string, unknown>, reason: string): string {
    for (const field of METRIC_FIELDS) {
      const v = value[field];
      if (typeof v === 'number' && !Number.isFinite(v) && reason.includes(`${field} (`)) {
        return reason.replace(`${field} (${JSON.stringify(v)})`, `${field} (${writtenValue(input, field, v)})`);
      }
    }
    return reason;
  }
}

/**
 * An earlier grade record read back from a file (SPEC §10): the fields that decide what is in
 * force are required, everything the product adds beyond the contract is optional.
 */
const earlierRecordSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('operationTier'),
    sellerId: z.string(),
    period: z.string().regex(/^\d{4}-\d{2}$/),
    tier: z.enum(OPERATION_TIERS),
  }),
  z.looseObject({
    kind: z.literal('serviceLevel'),
    sellerId: z.string(),
    period: z.string().regex(/^\d{4}-\d{2}$/),
    level: z.enum(SERVICE_LEVELS),
  }),
  z.looseObject({
    kind: z.literal('merchantAssessment'),
    sellerId: z.string(),
    quarter: z.string().regex(/^\d{4}-Q[1-4]$/),
    assessedTier: z.enum(MERCHANT_TIERS),
    effectiveFrom: z.iso.date(),
  }),
  z.looseObject({
    kind: z.literal('goodSellerGrant'),
    sellerId: z.string(),
    appliedOn: z.iso.date(),
    approvedOn: z.iso.date(),
    approvedBy: z.string(),
    note: z.string().nullable().optional(),
    status: z.enum(GRANT_STATUSES),
    endedOn: z.iso.date().nullable().optional(),
    revokedBy: z.string().nullable().optional(),
  }),
  z.looseObject({
    kind: z.literal('healthCheck'),
    sellerId: z.string(),
    asOf: z.iso.date(),
    findings: z.array(z.looseObject({ id: z.string(), severity: z.string(), since: z.iso.date(), evidence: z.record(z.string(), z.unknown()) })),
  }),
  z.looseObject({
    kind: z.literal('listingStage'),
    listingId: z.string(),
    sellerId: z.string(),
    categoryId: z.string(),
    asOf: z.iso.date(),
    stage: z.enum(LISTING_STAGES),
    since: z.iso.date(),
    next: z.looseObject({ stage: z.string(), suggestions: z.array(z.looseObject({ indicator: z.string() })) }).nullable(),
  }),
  z.looseObject({
    kind: z.literal('listingIncentive'),
    listingId: z.string(),
    sellerId: z.string(),
    categoryId: z.string(),
    stage: z.enum(INCENTIVE_STAGES),
    grantedOn: z.iso.date(),
    expiresOn: z.iso.date(),
    status: z.enum(INCENTIVE_STATUSES),
    endedOn: z.iso.date().nullable(),
  }),
  z.looseObject({ kind: z.literal('dailyScore'), sellerId: z.string() }),
  z.looseObject({ kind: z.literal('status'), sellerId: z.string() }),
  z.looseObject({ kind: z.literal('quarantine') }),
]);
type EarlierRecord = z.infer<typeof earlierRecordSchema>;

/** An earlier record, or `null` after quarantining a line that is not one (never skipped in silence). */
function earlierRecord(boundary: InputBoundary, input: InputLine): EarlierRecord | null {
  if ('unreadable' in input) return boundary.refuse('grades', input, input.unreadable);
  const parsed = earlierRecordSchema.safeParse(input.value);
  if (!parsed.success) return boundary.refuse('grades', input, `not a grade record of SPEC §10: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export { InputBoundary, earlierRecord, earlierRecordSchema };
export type { AcceptedSeller, BoundaryOptions, EarlierRecord, KnownInputs };
