import { z } from 'zod';
import { isCalendarDate } from './calendar';
import { idSchema } from './inputs';
import { shown } from './shown';

/** A listing: a product a seller offers, in its own second-level category (SPEC §3.5). */
const listingSchema = z
  .object({
    listingId: idSchema('listingId'),
    sellerId: idSchema('sellerId'),
    categoryId: idSchema('categoryId'),
    listedOn: z.iso.date(),
    delistedOn: z.iso.date().nullable().optional(),
  })
  .refine((l) => l.delistedOn == null || l.listedOn <= l.delistedOn, { path: ['delistedOn'], message: 'must not be before listedOn' });
type Listing = z.infer<typeof listingSchema>;

/** The daily fields of a listing (SPEC §3.5), in storage order. */
const LISTING_FIELDS = ['impressions', 'visitors', 'addToCart', 'orders', 'buyers', 'gmvCents', 'ratings', 'positiveRatings', 'returns'] as const;
type ListingField = (typeof LISTING_FIELDS)[number];
const LISTING_FIELD_COUNT = LISTING_FIELDS.length;
const LF = Object.fromEntries(LISTING_FIELDS.map((f, i) => [f, i])) as Record<ListingField, number>;

type ListingValues = Record<ListingField, number>;
interface ListingMetricRow extends ListingValues {
  listingId: string;
  date: string;
}

// SPEC §3.5: part <= whole.
const LISTING_PART_OF: ReadonlyArray<readonly [ListingField, ListingField]> = [
  ['visitors', 'impressions'],
  ['buyers', 'orders'],
  ['positiveRatings', 'ratings'],
  ['returns', 'orders'],
];

type ListingRowVerdict = { valid: true; row: ListingMetricRow } | { valid: false; reason: string };

/** Checks the per-row rules of SPEC §3.5 (not the listing, date-range or duplicate rules); returns the first broken rule. */
function checkListingRow(r: Record<string, unknown>): ListingRowVerdict {
  const label = `listing ${shown(r.listingId)}, ${shown(r.date)}`;
  if (typeof r.listingId === 'string' && r.listingId.length > 64) {
    return { valid: false, reason: `${label}: listingId is ${r.listingId.length} characters long; an identifier has at most 64` };
  }
  if (typeof r.listingId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.listingId)) {
    return { valid: false, reason: `${label}: listingId must match ^[A-Za-z0-9_-]{1,64}$` };
  }
  if (typeof r.date !== 'string' || !isCalendarDate(r.date)) return { valid: false, reason: `${label}: date is not a calendar date (YYYY-MM-DD)` };
  for (const field of LISTING_FIELDS) {
    const v = r[field];
    if (v === undefined || v === null) return { valid: false, reason: `${label}: ${field} is missing` };
    if (typeof v !== 'number' || !Number.isInteger(v))
      return { valid: false, reason: `${label}: ${field} (${shown(JSON.stringify(v) ?? String(v))}) is not an integer` };
    if (v < 0) return { valid: false, reason: `${label}: ${field} (${v}) is negative` };
    if (!Number.isSafeInteger(v)) return { valid: false, reason: `${label}: ${field} (${v}) is beyond the safe integer range` };
  }
  const row = r as unknown as ListingMetricRow;
  for (const [part, whole] of LISTING_PART_OF) {
    if (row[part] > row[whole]) return { valid: false, reason: `${label}: ${part} (${row[part]}) > ${whole} (${row[whole]})` };
  }
  const clean = { listingId: row.listingId, date: row.date } as ListingMetricRow;
  for (const field of LISTING_FIELDS) clean[field] = row[field];
  return { valid: true, row: clean };
}

export { LF, LISTING_FIELD_COUNT, LISTING_FIELDS, LISTING_PART_OF, checkListingRow, listingSchema };
export type { Listing, ListingField, ListingMetricRow, ListingValues };
