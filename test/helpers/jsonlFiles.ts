import { readFileSync } from 'node:fs';

/** Rows as the text of a JSON Lines file. */
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** The objects of a JSON Lines file the CLI wrote. */
const readRecords = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Grade records by seller and kind, `runId` aside (it differs between paths), and a status's `asOf` too. */
const byKey = (rows: Record<string, unknown>[]) =>
  new Map(
    rows
      .filter((r) => r.kind !== 'quarantine')
      .map((r) => [`${String(r.sellerId)}|${String(r.kind)}`, { ...r, runId: null, asOf: r.kind === 'status' ? null : r.asOf }]),
  );

export { byKey, jsonl, readRecords };
