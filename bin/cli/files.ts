import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from './errors';

/** A parsed JSON Lines row, or the reason it could not be parsed. */
type JsonlRow = { line: number; value: unknown } | { line: number; error: string };

/** Reads a JSON Lines file row by row; blank lines are skipped, unparsable ones reported. */
async function* readJsonl(path: string): AsyncGenerator<JsonlRow> {
  await assertReadable(path);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (e) {
      yield { line, error: `line ${line} of ${path} is not JSON: ${(e as Error).message}` };
    }
  }
}

async function readJsonlAll(path: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of readJsonl(path)) {
    if ('error' in row) throw new UsageError(row.error);
    rows.push(row.value);
  }
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

export { fileSize, readJsonFile, readJsonl, readJsonlAll };
export type { JsonlRow };
