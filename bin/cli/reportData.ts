import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseJsonLine } from '../../lib/jsonLines';
import { listingRecordSchema, type ListingRecord } from '../../lib/listingRecords';
import { gradeRecordSchema, type DailyScoreRecord, type GradeRecord } from '../../lib/records';
import { abilityMeans, type PoolSample } from '../../lib/report';
import { UsageError } from './errors';
import { assertReadable } from './files';

const SELLER_OF_LINE = /"sellerId":"([^"]*)"/;

/** A grade record of a `grader score` file, or a UsageError naming the file, the line and the field. */
function gradeRecordOf(file: string, value: unknown, where: string): GradeRecord {
  const parsed = gradeRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file} ${where} is not a grade record: ${issue?.path.join('.') || 'record'}: ${issue?.message}`);
  }
  return parsed.data;
}

const LISTING_KINDS = new Set(['listingStage', 'listingIncentive']);

/** A listing record of a `grader score --job growth` file, or a UsageError naming the file, the line and the field. */
function listingRecordOf(file: string, value: unknown, where: string): ListingRecord {
  const parsed = listingRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file} ${where} is not a listing record: ${issue?.path.join('.') || 'record'}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Every record of a `grader score` file, line by line (quarantine lines counted by source): nothing
 * held but what `each` keeps. `sellers`: only the lines of these sellers are parsed. Listing records
 * (`grader score --job growth`) go to `eachListing`, and are skipped without it.
 */
async function eachRecordOfFile(
  file: string,
  each: (r: GradeRecord) => void,
  sellers?: Set<string>,
  eachListing?: (r: ListingRecord) => void,
): Promise<Record<string, number>> {
  await assertReadable(file);
  const quarantine: Record<string, number> = Object.create(null) as Record<string, number>;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (sellers && !sellers.has(SELLER_OF_LINE.exec(text)?.[1] ?? '')) continue;
    const line = parseJsonLine(text, n);
    if (!line || !('value' in line)) continue;
    const value = line.value as { kind?: unknown; source?: unknown };
    if (value.kind === 'quarantine') quarantine[String(value.source)] = (quarantine[String(value.source)] ?? 0) + 1;
    else if (LISTING_KINDS.has(value.kind as string)) eachListing?.(listingRecordOf(file, value, `line ${n}`));
    else each(gradeRecordOf(file, value, `line ${n}`));
  }
  return quarantine;
}

/**
 * The lines of a file that hold a text, found in its bytes before anything is parsed: a seller's
 * page reads a large `grader score` file at the speed of the disk, parsing only its own lines.
 */
async function linesHolding(file: string, text: string, each: (line: string) => void): Promise<void> {
  const needle = Buffer.from(text);
  const handle = await open(file, 'r');
  try {
    // one buffer, reused: the part of a line a read cut off moves to its start
    let buf = Buffer.allocUnsafe(16 << 20);
    let kept = 0;
    for (;;) {
      if (kept === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const { bytesRead } = await handle.read(buf, kept, buf.length - kept, null);
      const view = buf.subarray(0, kept + bytesRead);
      const end = bytesRead === 0 ? view.length : view.lastIndexOf(10) + 1;
      for (let at = view.indexOf(needle); at !== -1 && at < end; at = view.indexOf(needle, at + 1)) {
        const stop = view.indexOf(10, at);
        each(view.toString('utf8', view.lastIndexOf(10, at) + 1, stop === -1 ? view.length : stop));
        if (stop === -1) break;
        at = stop;
      }
      if (bytesRead === 0) return;
      buf.copyWithin(0, end, view.length);
      kept = view.length - end;
    }
  } finally {
    await handle.close();
  }
}

/**
 * One seller's records in a `grader score` file, and its pool's means on the date of its latest
 * daily score: two scans of the bytes (its lines, then its pool's), parsing only the lines found.
 */
async function sellerOfFile(file: string, sellerId: string) {
  await assertReadable(file);
  const own: GradeRecord[] = [];
  const listings: ListingRecord[] = [];
  await linesHolding(file, `"sellerId":${JSON.stringify(sellerId)}`, (text) => {
    const value = JSON.parse(text) as { kind?: unknown; sellerId?: unknown };
    if (value.kind === 'quarantine' || value.sellerId !== sellerId) return;
    if (LISTING_KINDS.has(value.kind as string)) listings.push(listingRecordOf(file, value, `a line of seller ${sellerId}`));
    else own.push(gradeRecordOf(file, value, `a line of seller ${sellerId}`));
  });
  if (own.length === 0 && listings.length === 0) throw new UsageError(`--seller: no record of ${sellerId} in ${file}`);
  const d = own.filter((r): r is DailyScoreRecord => r.kind === 'dailyScore').sort((a, b) => (a.date < b.date ? 1 : -1))[0];
  let pool: PoolSample | null = null;
  if (d?.poolId && d.abilities) {
    const members: DailyScoreRecord[] = [];
    await linesHolding(file, `"poolId":${JSON.stringify(d.poolId)}`, (text) => {
      const value = JSON.parse(text) as { kind?: unknown; date?: unknown; poolId?: unknown };
      if (value.kind === 'dailyScore' && value.date === d.date && value.poolId === d.poolId) {
        const r = gradeRecordOf(file, value, 'a daily score of its pool');
        if (r.kind === 'dailyScore' && r.abilities) members.push(r);
      }
    });
    pool = { means: abilityMeans(members), members: members.length, sampled: members.length };
  }
  return { records: own, listings, pool };
}

export { eachRecordOfFile, gradeRecordOf, sellerOfFile };
