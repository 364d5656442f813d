import type { OperatorAnswer } from '../../functions/operatorActions';
import { isCalendarDate } from '../../lib/calendar';
import { csvHeader, csvLine } from '../../lib/csv';
import { GrowthTally, latestListings, NO_EARLIER } from '../../lib/growthReport';
import { LISTING_STAGES } from '../../lib/growthIndicators';
import type { ListingRecord, ListingStageRecord } from '../../lib/listingRecords';
import { invokeOperator } from './commands';
import { UsageError } from './errors';
import { writeOutput } from './files';
import { type Note, toStderr } from './notes';
import { eachRecordOfFile, sellerOfFile } from './reportData';

type Values = Record<string, string | boolean | undefined>;

const stageFlag = (v: Values, flag: string, extra: readonly string[] = []): string | undefined => {
  const value = v[flag];
  if (value === undefined) return undefined;
  const allowed = [...LISTING_STAGES, ...extra];
  if (typeof value !== 'string' || !allowed.includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${String(value)})`);
  return value;
};

/** A seller's listings, the most to gain first: one CSV line per suggestion (one for a listing with none), or its stage records as JSON Lines. */
function sellerListings(records: ListingRecord[], stage: string | undefined, format: string): { text: string; count: number } {
  const stages = latestListings(records).stages.filter((r) => stage === undefined || r.stage === stage);
  if (format === 'jsonl') return { text: stages.map((r) => JSON.stringify(r)).join('\n'), count: stages.length };
  const columns = ['listingId', 'categoryId', 'stage', 'since', 'asOf', 'growthScore', 'nextStage', 'indicator', 'actual', 'benchmark', 'action'];
  const lines = stages.flatMap((r) => {
    const listing = {
      listingId: r.listingId,
      categoryId: r.categoryId,
      stage: r.stage,
      since: r.since,
      asOf: r.asOf,
      growthScore: r.growthScore,
      nextStage: r.next?.stage,
    };
    const suggestions = r.next?.suggestions ?? [];
    return suggestions.length === 0 ? [csvLine(columns, listing)] : suggestions.map((s) => csvLine(columns, { ...listing, ...s }));
  });
  return { text: [csvHeader(columns), ...lines].join('\n'), count: stages.length };
}

/** A seller's current stage records from the tables, page by page through the operator's `listings` action. */
async function sellerStagesOfStore(v: Values, sellerId: string, stage: string | undefined): Promise<ListingStageRecord[]> {
  const stages: ListingStageRecord[] = [];
  let after: string | null = null;
  do {
    const page: OperatorAnswer<'listings'> = await invokeOperator(v, { action: 'listings', sellerId, ...(stage ? { stage } : {}), after });
    stages.push(...page.listings);
    after = page.next;
  } while (after);
  return stages;
}

/** The listings that moved on a growth date, as the report's move cells count them. */
async function movedListings(file: string, date: string, from: string | undefined, to: string | undefined, format: string) {
  const tally = new GrowthTally();
  await eachRecordOfFile(
    file,
    () => {},
    undefined,
    (r) => tally.add(r),
  );
  const rows = tally.moved(date).filter((m) => (from === undefined || m.from === from) && (to === undefined || m.to === to));
  const columns = ['listingId', 'sellerId', 'categoryId', 'from', 'to'];
  const text =
    format === 'jsonl'
      ? rows.map((r) => JSON.stringify({ ...r, movedOn: date })).join('\n')
      : [csvHeader(columns), ...rows.map((r) => csvLine(columns, r))].join('\n');
  return { text, count: rows.length };
}

/**
 * `grader listings (--seller S [--stage X] | --moved-on D [--from X|none] [--to X]) [--records FILE]
 * [--format csv|jsonl] [--out FILE]`: every listing behind a list of the report, from the tables
 * (a seller's listings) or from a `grader score --job growth` file (the outputs of consecutive days
 * may be concatenated). Standard output holds only the data; notes go to `note`.
 */
async function listingsCommand(v: Values, note: Note = toStderr): Promise<string> {
  const format = typeof v.format === 'string' ? v.format : 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl (got ${format})`);
  const records = typeof v.records === 'string' ? v.records : undefined;
  const seller = v.seller;
  const movedOn = v['moved-on'];
  if ((seller === undefined) === (movedOn === undefined)) throw new UsageError('give one of --seller S or --moved-on D');
  let out: { text: string; count: number };
  if (seller !== undefined) {
    if (typeof seller !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(seller)) throw new UsageError(`--seller must be a seller id (got ${String(seller)})`);
    const stage = stageFlag(v, 'stage');
    const own = records ? (await sellerOfFile(records, seller)).listings : await sellerStagesOfStore(v, seller, stage);
    out = sellerListings(own, stage, format);
    note(`${out.count} listings of seller ${seller}${stage ? ` in stage ${stage}` : ''}, from ${records ?? 'the tables'}`);
  } else {
    if (typeof movedOn !== 'string' || !isCalendarDate(movedOn)) throw new UsageError(`--moved-on must be YYYY-MM-DD (got ${String(movedOn)})`);
    if (!records) throw new UsageError('--moved-on reads a grader score --job growth file: give --records FILE');
    out = await movedListings(records, movedOn, stageFlag(v, 'from', [NO_EARLIER]), stageFlag(v, 'to'), format);
  }
  if (typeof v.out !== 'string') return out.text;
  writeOutput(v.out, `${out.text}\n`);
  return `wrote ${out.count} listings to ${v.out}`;
}

export { listingsCommand };
