import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, runCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { scanAll } from '../../functions/data/query';
import { ingestListingMessages, tableSink } from '../../functions/listingIngest';
import { LISTING_LINES_PER_MESSAGE } from '../../lib/listingFeed';
import { DEFAULT_POLICY } from '../../lib/policy';
import { growthMarket } from '../helpers/growthMarket';
import { jsonl, readRecords } from '../helpers/jsonlFiles';
import { localStore } from '../helpers/localStore';

const DATE = '2026-06-12';
const NOW = '2026-06-13T12:00:00Z';
const market = growthMarket({ from: '2026-03-01', to: DATE });
const dir = mkdtempSync(join(tmpdir(), 'grader-listing-feed-'));
let env: Awaited<ReturnType<typeof localStore>>;
let sent = 0;

type Row = Record<string, unknown>;
const keyOf = (r: Row) => `${String(r.kind)}|${String(r.listingId)}|${r.kind === 'listingIncentive' ? String(r.grantedOn) : ''}`;
const withoutRun = (r: Row) => ({ ...r, runId: null });

/** SQS messages of one kind, at most LISTING_LINES_PER_MESSAGE lines each. */
function messages(kind: string, lines: Row[]): SQSEvent['Records'] {
  const out: SQSEvent['Records'] = [];
  for (let i = 0; i < lines.length; i += LISTING_LINES_PER_MESSAGE) {
    out.push({
      messageId: `m-${sent++}`,
      body: jsonl(lines.slice(i, i + LISTING_LINES_PER_MESSAGE)),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { kind: { stringValue: kind, dataType: 'String' } },
    } as unknown as SQSEvent['Records'][number]);
  }
  return out;
}

async function deliver(records: SQSEvent['Records']) {
  const deps = { sink: tableSink(env.store), policy: DEFAULT_POLICY, now: () => NOW };
  for (let i = 0; i < records.length; i += 10) {
    expect(await ingestListingMessages({ Records: records.slice(i, i + 10) }, deps)).toEqual({ batchItemFailures: [] });
  }
}

const busy = market.rows.find((r) => Number(r.orders) > 3 && r.date === '2026-06-01')!;
/** a later message with the same key and other values: the first row stands */
const repeat = { ...busy, orders: Number(busy.orders) + 50, buyers: Number(busy.buyers) + 50 };

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(market.sellers));
  await importCommand({ data: dir });
  writeFileSync(join(dir, 'listings.jsonl'), jsonl(market.listings));
  writeFileSync(join(dir, 'listingMetrics.jsonl'), jsonl([...market.rows, repeat]));
}, 120_000);

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('the listing feed on the tables (SPEC §3.5, docs/ingestion.md)', () => {
  it('stores messages of listings and rows so that grader run growth gives the records of grader score on the same lines', async () => {
    const rowMessages = messages('listingMetrics', market.rows);
    await deliver(messages('listings', market.listings));
    await deliver(rowMessages);
    // a message delivered again changes nothing and quarantines nothing
    await deliver([{ ...rowMessages[0]!, messageId: 'again' }]);
    await deliver(messages('listingMetrics', [repeat]));

    const out = join(dir, 'score.jsonl');
    await score({ job: 'growth', period: DATE, data: dir, out });
    const scored = readRecords(out).filter((r) => r.kind !== 'quarantine');
    expect(scored.length).toBeGreaterThan(100);
    await runCommand('growth', { date: DATE, reason: 'listing feed test', 'as-of': DATE });
    const got = new Map<string, Row>();
    for (const kind of ['listingStage', 'listingIncentive']) {
      const file = join(dir, `export-${kind}.jsonl`);
      await exportCommand({ kind, out: file });
      for (const r of readRecords(file)) got.set(keyOf(r), withoutRun(r));
    }
    const expected = new Map(scored.map((r) => [keyOf(r), withoutRun(r)]));
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, record] of got) expect(record, key).toEqual(expected.get(key));
  });

  it('quarantines a repeated row of a later message as a repeat, with the reason grader score gives, and nothing else', async () => {
    const items = await scanAll(env.store.doc, { TableName: env.store.tables.quarantine });
    const fed = items.filter((i) => String(i.source).startsWith('listing')).map((i) => String(i.reason));
    const fromScore = readRecords(join(dir, 'score.jsonl'))
      .filter((r) => r.kind === 'quarantine')
      .map((r) => String(r.reason));
    expect(fed).toEqual([`listing ${String(busy.listingId)}, ${String(busy.date)}: repeats the key (listingId, date) of an earlier row; the first one stands`]);
    expect(fed).toEqual(fromScore);
  });
});
