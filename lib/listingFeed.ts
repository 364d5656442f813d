import type { FeedMessage } from './feedMessage';
import { readFeedMessage } from './feedMessage';
import type { InputBoundary } from './inputBoundary';
import { parseJsonLine } from './jsonLines';
import type { Listing, ListingMetricRow } from './listings';
import type { QuarantineRecord } from './records';

/** What a listing-feed message carries, from its `kind` attribute (docs/ingestion.md). */
type ListingFeedKind = 'listings' | 'listingMetrics';
const LISTING_FEED_KINDS: ReadonlySet<string> = new Set<ListingFeedKind>(['listings', 'listingMetrics']);

/** Lines of one listing-feed message at most: ~150 KB of rows, under SQS's 256 KB. */
const LISTING_LINES_PER_MESSAGE = 1000;

/** The listing ids a message of daily rows names, so their stored spans can be read before its rows are checked. */
function listingIdsOf(body: string): string[] {
  const ids = new Set<string>();
  body.split('\n').forEach((text, i) => {
    const line = parseJsonLine(text, i + 1);
    if (!line || !('value' in line)) return;
    const id = (line.value as { listingId?: unknown } | null)?.listingId;
    if (typeof id === 'string') ids.add(id);
  });
  return [...ids];
}

/**
 * One listing-feed message read through the input boundary (SPEC §3.5): the valid listings or
 * rows, and the quarantine records of its bad lines (bounded as every feed message's are).
 */
function readListingMessage(
  message: FeedMessage & { source: ListingFeedKind },
  boundary: InputBoundary,
): { listings: Listing[]; rows: ListingMetricRow[]; quarantined: QuarantineRecord[] } {
  const listings: Listing[] = [];
  const rows: ListingMetricRow[] = [];
  const quarantined = readFeedMessage(message, boundary.quarantined, (line) => {
    if (message.source === 'listings') {
      const l = boundary.listing(line);
      if (l) listings.push(l);
    } else {
      const row = boundary.listingMetric(line);
      if (row) rows.push(row);
    }
  });
  return { listings, rows, quarantined };
}

export { LISTING_FEED_KINDS, LISTING_LINES_PER_MESSAGE, listingIdsOf, readListingMessage };
export type { ListingFeedKind };
