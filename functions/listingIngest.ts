import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { businessDateOf } from '../lib/calendar';
import { MESSAGE_DELIVERIES, setAsideRecords, type FeedMessage } from '../lib/feedMessage';
import { InputBoundary } from '../lib/inputBoundary';
import type { Category } from '../lib/inputs';
import { LISTING_FEED_KINDS, listingIdsOf, readListingMessage, type ListingFeedKind } from '../lib/listingFeed';
import type { Listing, ListingMetricRow } from '../lib/listings';
import type { Policy } from '../lib/policy';
import type { QuarantineRecord } from '../lib/records';
import { QuarantineRepository } from './data/quarantineRepository';
import { ReferenceRepository } from './data/referenceRepository';
import type { Store } from './data/store';
import { storedSpans, storeListingRows, storeListings } from './jobs/listingFeedStore';
import { defaultDependencies } from './environment';
import { logger, logInvocation } from './middleware';

type ListingSpan = Pick<Listing, 'listingId' | 'listedOn' | 'delistedOn'>;

/**
 * Where the listing feed lands (docs/ingestion.md). Every write is change-only and idempotent: a
 * message delivered again changes nothing.
 */
interface ListingSink {
  /** the categories and sellers a listing is checked against */
  reference(): Promise<{ categories: Category[]; sellers: { sellerId: string; categoryId: string }[] }>;
  /** the stored listings among `listingIds` (the others are unknown) */
  listingSpans(listingIds: readonly string[]): Promise<ListingSpan[]>;
  /** adds or updates listings (a delisting is a listing line with `delistedOn`) */
  putListings(listings: readonly Listing[]): Promise<void>;
  /**
   * adds daily rows; a (listingId, date) already stored keeps its first row (SPEC §3.5): a different
   * row of that key is quarantined (under `importId`) as a repeat before any row is written
   */
  putListingRows(rows: readonly ListingMetricRow[], importId: string): Promise<void>;
  /** writes quarantine records, before any valid line of their message is stored */
  quarantine(records: readonly QuarantineRecord[], importId: string): Promise<void>;
}

interface ListingIngestDependencies {
  sink: ListingSink;
  policy: Policy;
  now: () => string;
}

type MessageOutcome =
  | { messageId: string; state: 'stored'; listings: number; rows: number; quarantined: number }
  | { messageId: string; state: 'set aside' | 'failed'; error: string };

/** A message of the listing feed: JSON Lines of the kind its `kind` attribute names (no default: a message without one is refused). */
function feedMessage(record: SQSRecord): FeedMessage & { source: ListingFeedKind } {
  const kind = record.messageAttributes?.kind?.stringValue ?? '';
  if (!LISTING_FEED_KINDS.has(kind))
    throw new Error(`message ${record.messageId}: attribute kind must be listings or listingMetrics, not ${JSON.stringify(kind)}`);
  const deliveries = Number(record.attributes?.ApproximateReceiveCount);
  return {
    messageId: record.messageId,
    body: record.body,
    source: kind as ListingFeedKind,
    deliveries: Number.isInteger(deliveries) && deliveries > 0 ? deliveries : 1,
  };
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Reads one message through the input boundary and stores it. Rows of listings not stored yet wait
 * for them (their listings message may still be in flight): the message fails and comes back, and
 * only on its last delivery are such rows quarantined as rows of an unknown listing.
 */
async function storeMessage(
  deps: ListingIngestDependencies,
  reference: Awaited<ReturnType<ListingSink['reference']>>,
  message: FeedMessage & { source: ListingFeedKind },
  now: string,
): Promise<MessageOutcome> {
  const ingestedOn = businessDateOf(now, deps.policy.timeZone);
  let listings: ListingSpan[] = [];
  if (message.source === 'listingMetrics') {
    const ids = listingIdsOf(message.body);
    listings = await deps.sink.listingSpans(ids);
    const missing = ids.length - listings.length;
    if (missing > 0 && message.deliveries < MESSAGE_DELIVERIES) throw new Error(`${missing} of its ${ids.length} listings are not stored yet`);
  }
  const boundary = new InputBoundary({ policy: deps.policy, ingestedOn }, { ...reference, listings });
  const read = readListingMessage(message, boundary);
  await deps.sink.quarantine(read.quarantined, `${message.source}-${now}`);
  if (read.listings.length > 0) await deps.sink.putListings(read.listings);
  if (read.rows.length > 0) await deps.sink.putListingRows(read.rows, `${message.source}-${now}`);
  return { messageId: message.messageId, state: 'stored', listings: read.listings.length, rows: read.rows.length, quarantined: read.quarantined.length };
}

/** A message that failed: delivered again, and on its last delivery set aside in quarantine (as the order feed does). */
async function failedMessage(deps: ListingIngestDependencies, message: FeedMessage, error: unknown, now: string): Promise<MessageOutcome> {
  const outcome = { messageId: message.messageId, error: errorText(error) };
  logger.warn('listing feed message failed', { messageId: message.messageId, deliveries: message.deliveries, error: outcome.error });
  if (message.deliveries < MESSAGE_DELIVERIES) return { ...outcome, state: 'failed' };
  try {
    await deps.sink.quarantine(setAsideRecords(message, outcome.error), `${message.source}-${now}`);
    return { ...outcome, state: 'set aside' };
  } catch (e) {
    logger.error('listing feed message could not be set aside; it goes to the dead-letter queue', { messageId: message.messageId, error: e as Error });
    return { ...outcome, state: 'failed' };
  }
}

/**
 * The listing feed (SPEC §3.5, docs/ingestion.md): SQS messages of up to 1,000 JSON Lines, each of
 * the kind its `kind` attribute names (`listings` or `listingMetrics`), through the same input
 * boundary as every other path. A failed message is reported alone (ReportBatchItemFailures).
 */
async function ingestListingMessages(event: SQSEvent, deps: ListingIngestDependencies): Promise<SQSBatchResponse> {
  const now = deps.now();
  const reference = await deps.sink.reference();
  const outcomes: MessageOutcome[] = [];
  for (const record of event.Records) {
    let message: FeedMessage & { source: ListingFeedKind };
    try {
      message = feedMessage(record);
    } catch (e) {
      // a message of no known kind can never be read: set it aside with its lines as listings
      const unread = { messageId: record.messageId, body: record.body, source: 'listings' as const, deliveries: MESSAGE_DELIVERIES };
      outcomes.push(await failedMessage(deps, unread, e, now));
      continue;
    }
    outcomes.push(await storeMessage(deps, reference, message, now).catch((e: unknown) => failedMessage(deps, message, e, now)));
  }
  logger.info('listing feed messages ingested', {
    messages: outcomes.length,
    failed: outcomes.filter((o) => o.state === 'failed').length,
    setAside: outcomes.filter((o) => o.state === 'set aside').length,
  });
  return { batchItemFailures: outcomes.filter((o) => o.state === 'failed').map((o) => ({ itemIdentifier: o.messageId })) };
}

/**
 * The sink on the tables: reference data and quarantine through their repositories, listings and
 * their rows through the listing repository, as grader import stores them (docs/ingestion.md).
 */
function tableSink(store: Store): ListingSink {
  const reference = new ReferenceRepository(store);
  const quarantine = new QuarantineRepository(store);
  const owner = () => `listingIngest:${randomUUID()}`;
  return {
    reference: async () => {
      const { categories, sellers } = await reference.snapshot();
      return { categories, sellers };
    },
    listingSpans: (ids) => storedSpans(store, ids),
    putListings: (listings) => storeListings(store, listings, owner()),
    putListingRows: async (rows, importId) => {
      await storeListingRows(store, rows, owner(), (records) => quarantine.put(records, importId, new Date().toISOString()));
    },
    quarantine: (records, importId) => quarantine.put([...records], importId, new Date().toISOString()),
  };
}

function listingIngestHandler(deps: () => ListingIngestDependencies) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(logInvocation('listingIngest'))
    .handler((event) => ingestListingMessages(event, deps()));
}

let deps: ListingIngestDependencies | undefined;
const handler = listingIngestHandler(() => {
  if (!deps) {
    const d = defaultDependencies();
    deps = { sink: tableSink(d.store), policy: d.policy, now: d.now };
  }
  return deps;
});

export { handler, ingestListingMessages, listingIngestHandler, tableSink };
export type { ListingIngestDependencies, ListingSink, ListingSpan };
