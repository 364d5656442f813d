import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseJsonLine, type InputLine } from '../../lib/jsonLines';
import { UsageError } from './errors';

/**
 * Reads a JSON Lines file line by line, through the input boundary's line parser (SPEC §3.3): a
 * byte-order mark and CRLF are accepted, blank lines skipped, and a line that is not a JSON object
 * comes out as such, with its number, for the boundary to quarantine.
 */
async function* readJsonl(path: string): AsyncGenerator<InputLine> {
  await assertReadable(path);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    const parsed = parseJsonLine(text, ++line);
    if (parsed) yield parsed;
  }
}

/** Every line of a file, or none when an optional file is absent. */
async function readJsonlAll(path: string, options: { optional?: boolean } = {}): Promise<InputLine[]> {
  if (options.optional && !existsSync(path)) return [];
  const rows: InputLine[] = [];
  for await (const row of readJsonl(path)) rows.push(row);
  return rows;
}

async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UsageError(`${path} is not a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`cannot read ${path}: ENOENT`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${(e as Error).message}`);
  }
}

/** A file opened for writing, or one line naming it (a missing folder, no permission) rather than a stream's 'error' stack. */
async function openOutput(path: string): Promise<WriteStream> {
  const out = createWriteStream(path);
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject)).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write ${path}: ${e.code ?? e.message}`);
  });
  return out;
}

/** Writes a whole file, or one line naming it. */
function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Ends a stream opened by openOutput once everything is flushed. */
function closeOutput(out: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/**
 * A data folder's inputs as `grader import` and `grader score` read them: the reference files whole,
 * the row files streamed, an absent optional file left out. `listings`: read the listing files too.
 */
async function readDataFolder(dir: string, options: { listings: boolean }) {
  const path = (f: string) => join(dir, f);
  async function* lines(file: string) {
    if (existsSync(path(file))) yield* readJsonl(path(file));
  }
  const listings = options.listings && existsSync(path('listings.jsonl')) ? await readJsonlAll(path('listings.jsonl')) : undefined;
  const withListings = options.listings && (listings || existsSync(path('listingMetrics.jsonl')));
  const feed = existsSync(path('orders.jsonl')) || existsSync(path('exclusions.jsonl'));
  return {
    categories: await readJsonlAll(path('categories.jsonl')),
    sellers: await readJsonlAll(path('sellers.jsonl')),
    grants: await readJsonlAll(path('grants.jsonl'), { optional: true }),
    exposure: await readJsonlAll(path('exposure.jsonl'), { optional: true }),
    registrations: await readJsonlAll(path('registrations.jsonl'), { optional: true }),
    metrics: lines('metrics.jsonl'),
    ...(withListings ? { listings: listings ?? [], listingMetrics: lines('listingMetrics.jsonl') } : {}),
    ...(feed ? { orders: lines('orders.jsonl'), exclusions: lines('exclusions.jsonl') } : {}),
  };
}

export { readDataFolder, assertReadable, closeOutput, fileSize, openOutput, readJsonFile, readJsonl, readJsonlAll, writeOutput };
