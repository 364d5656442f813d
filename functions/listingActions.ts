import { z } from 'zod';
import { addDays } from '../lib/calendar';
import { explainListing, type LiveListing } from '../lib/explainListing';
import type { ListingIncentiveRecord, ListingStageRecord } from '../lib/listingRecords';
import { growthWindow } from '../lib/growth';
import { LISTING_STAGES } from '../lib/growthIndicators';
import { idSchema, sellerIdSchema } from '../lib/inputs';
import { LISTING_FIELD_COUNT, LISTING_FIELDS, type ListingValues } from '../lib/listings';
import { ListingRecordsRepository } from './data/listingRecordsRepository';
import { ListingsRepository, type StoredListing } from './data/listingsRepository';
import { MetricsRepository } from './data/metricsRepository';
import { ReferenceRepository } from './data/referenceRepository';
import { answerSchema } from './answers';
import type { HandlerDependencies } from './environment';
import { policyOfVersion } from './jobs/runPolicy';
import { BadRequestError } from './middleware';

const date = z.iso.date();

/** A page of a seller's listings, their current stage records in listing id order (SPEC §7.6, issue 19). */
const listingsSchema = z
  .object({
    action: z.literal('listings'),
    sellerId: sellerIdSchema,
    stage: z.enum(LISTING_STAGES).optional(),
    limit: z.number().int().min(1).max(1000).default(1000),
    /** the `next` of the page before: a listing id */
    after: idSchema('after').nullable().optional(),
  })
  .strict();

/** Why a listing has its stage: its record, incentives and live numbers (SPEC §7.6). */
const explainListingSchema = z
  .object({
    action: z.literal('explainListing'),
    listingId: idSchema('listingId'),
    /** the live numbers are those of the window ending the day before; today by default */
    date: date.optional(),
  })
  .strict();

const listingsAnswerSchema = answerSchema(z.literal('listings'), {
  sellerId: z.string(),
  listings: z.custom<ListingStageRecord[]>(),
  /** the `after` of the next page; null on the last */
  next: z.string().nullable(),
});
const explainListingAnswerSchema = answerSchema(z.literal('explainListing'), {
  listingId: z.string(),
  sellerId: z.string(),
  record: z.custom<ListingStageRecord>(),
  incentives: z.custom<ListingIncentiveRecord[]>(),
  live: z.custom<LiveListing>(),
  explanation: z.array(z.string()),
});

/**
 * A seller's listings, one page of one query; a page filtered by stage may hold fewer than
 * `limit` (or none) and still have a `next`.
 */
async function listListings(r: z.infer<typeof listingsSchema>, deps: HandlerDependencies): Promise<z.infer<typeof listingsAnswerSchema>> {
  const page = await new ListingRecordsRepository(deps.store).stagesPage(r.sellerId, { limit: r.limit, after: r.after ?? null });
  if (page.stages.length === 0 && !r.after && !(await new ReferenceRepository(deps.store).seller(r.sellerId)))
    throw new BadRequestError('sellerId', `seller ${r.sellerId} does not exist`);
  const listings = r.stage === undefined ? page.stages : page.stages.filter((s) => s.stage === r.stage);
  return { ok: true, action: 'listings', sellerId: r.sellerId, listings, next: page.next };
}

/** A listing's sums over a window, from its block's running totals at the window's two ends. */
async function liveListing(deps: HandlerDependencies, listing: StoredListing, window: LiveListing['window']): Promise<LiveListing> {
  const [end, before] = [window.end, addDays(window.start, -1)];
  const cumulative = await new MetricsRepository(deps.store).cumulativeAt([listing.block], [end, before]);
  const at = (d: string, f: number) => {
    const cum = cumulative.get(`${listing.block}|${d}`);
    const o = listing.slot * LISTING_FIELD_COUNT + f;
    return cum && o < cum.length ? cum[o]! : 0;
  };
  const values = Object.fromEntries(LISTING_FIELDS.map((field, f) => [field, at(end, f) - at(before, f)])) as ListingValues;
  return { window, values };
}

async function explainListingAction(
  r: z.infer<typeof explainListingSchema>,
  deps: HandlerDependencies,
  today: string,
): Promise<z.infer<typeof explainListingAnswerSchema>> {
  const listing = await new ListingsRepository(deps.store).find(r.listingId);
  if (!listing) throw new BadRequestError('listingId', `listing ${r.listingId} does not exist`);
  const { stage, incentives } = await new ListingRecordsRepository(deps.store).ofListing(listing.sellerId, listing.listingId);
  if (!stage) throw new BadRequestError('listingId', `listing ${r.listingId} has no stage yet: no growth run has evaluated it`);
  const window = growthWindow(r.date ?? today);
  // the lines and weights of the version that wrote the record
  const [live, policy] = await Promise.all([liveListing(deps, listing, window), policyOfVersion(deps, stage.policyVersion)]);
  const ordered = [...incentives].sort((a, b) => (a.grantedOn < b.grantedOn ? -1 : 1));
  return {
    ok: true,
    action: 'explainListing',
    listingId: listing.listingId,
    sellerId: listing.sellerId,
    record: stage,
    incentives: ordered,
    live,
    explanation: explainListing(stage, ordered, live, policy ?? deps.policy),
  };
}

export { explainListingAction, explainListingAnswerSchema, explainListingSchema, listingsAnswerSchema, listingsSchema, listListings };
