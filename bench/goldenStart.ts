/**
 * `npm run golden:start -- [--sellers 300] [--out .grader/golden-start.jsonl]`: runs `npm start`'s
 * year (its synthetic marketplace, import and every schedule, functions/local/startYear.ts) on a
 * fresh embedded store and writes what it leaves behind as sorted JSON Lines, runIds removed: every
 * record of the grades table (daily-score packs expanded), every listing's growth state per block
 * and date, each run's status and counts, and the change events published. Two versions run on the
 * same parameters must write the same file (issue 18: "records are unchanged").
 */
import '../bin/cli/warnings';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { recordsOfStreamItem } from '../functions/data/gradeStream';
import { scanAll } from '../functions/data/query';
import { openStore, type Store } from '../functions/data/store';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { importStartYear, simulateStartYear } from '../functions/local/startYear';
import { DEFAULT_POLICY } from '../lib/policy';

const { values } = parseArgs({
  options: {
    sellers: { type: 'string' },
    'listings-per-seller': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    inline: { type: 'boolean' },
    out: { type: 'string' },
  },
});
const year = {
  sellers: Number(values.sellers ?? 300),
  listingsPerSeller: Number(values['listings-per-seller'] ?? 10),
  from: values.from ?? '2025-11-01',
  to: values.to ?? '2026-10-31',
};
const out = resolve(values.out ?? '.grader/golden-start.jsonl');

/** JSON with object keys sorted and every `runId` dropped, at any depth. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (key === 'runId') return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

async function dump(store: Store, events: Map<string, number>): Promise<string[]> {
  const lines: string[] = [];
  for (const item of await scanAll(store.doc, { TableName: store.tables.grades })) {
    for (const record of recordsOfStreamItem(item)) lines.push(`record ${canonical(record)}`);
  }
  for (const item of await scanAll(store.doc, { TableName: store.tables.runs })) {
    const [jobPeriod, key] = [String(item.jobPeriod), String(item.item)];
    if (jobPeriod.startsWith('growthState#')) {
      const state = JSON.parse(inflateRawSync(item.state as Uint8Array).toString('utf8')) as { asOf: string; listings: Record<string, unknown> };
      for (const [listingId, listing] of Object.entries(state.listings))
        lines.push(`growthState ${canonical({ block: jobPeriod, asOf: state.asOf, listingId, listing })}`);
    } else if (key.startsWith('run#')) {
      lines.push(`run ${canonical({ jobPeriod, status: item.status, counts: item.counts, shards: item.shards, referenceRevision: item.referenceRevision })}`);
    }
  }
  for (const [type, n] of events) lines.push(`events ${canonical({ type, n })}`);
  return lines.sort();
}

async function main(): Promise<void> {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint });
  try {
    let t = performance.now();
    await importStartYear(store, year, { policy: DEFAULT_POLICY, now: new Date().toISOString() });
    process.stdout.write(`imported ${year.sellers} sellers in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    t = performance.now();
    const { runs, tap } = await simulateStartYear(store, year, {
      policy: DEFAULT_POLICY,
      now: () => new Date().toISOString(),
      simulate: { fanOut: values.inline ? false : {} },
    });
    process.stdout.write(`simulated ${year.from}..${year.to}: ${runs.length} runs in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const unfinished = runs.filter((r) => r.state !== 'succeeded');
    if (unfinished.length > 0) throw new Error(`runs that did not succeed: ${unfinished.map((r) => `${r.runId} ${r.state}`).join(', ')}`);
    const lines = await dump(store, tap.counts);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${lines.join('\n')}\n`);
    process.stdout.write(`${lines.length} lines to ${out}\n`);
  } finally {
    store.client.destroy();
    await embedded.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`golden:start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
