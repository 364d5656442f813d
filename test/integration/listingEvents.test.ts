import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand, runCommand } from '../../bin/cli/commands';
import { watchCommand } from '../../bin/cli/health';
import { publishChanges, type Publish } from '../../functions/changeEvents';
import { ListingRecordsRepository } from '../../functions/data/listingRecordsRepository';
import { followGradesStream } from '../../functions/local/streamFollower';
import { EVENT_DETAIL_SCHEMAS, type DetailType } from '../../lib/gradeEvents';
import type { ListingRecord } from '../../lib/listingRecords';
import { growthMarket } from '../helpers/growthMarket';
import { jsonl } from '../helpers/jsonlFiles';
import { localStore } from '../helpers/localStore';

const DAYS = ['2026-06-10', '2026-06-11', '2026-06-12'];
const market = growthMarket({ from: '2026-03-01', to: '2026-06-12' });
const sellerIds = market.sellers.map((s) => String(s.sellerId));
let env: Awaited<ReturnType<typeof localStore>>;
let follower: Awaited<ReturnType<typeof followGradesStream>>;

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  const dir = mkdtempSync(join(tmpdir(), 'grader-listing-events-'));
  writeFileSync(join(dir, 'categories.jsonl'), jsonl(market.categories));
  writeFileSync(join(dir, 'sellers.jsonl'), jsonl(market.sellers));
  writeFileSync(join(dir, 'listings.jsonl'), jsonl(market.listings));
  writeFileSync(join(dir, 'listingMetrics.jsonl'), jsonl(market.rows));
  await importCommand({ data: dir });
  // the import writes no grade records: the stream starts with the first growth run
  follower = await followGradesStream(env.store, env.embedded.endpoint);
}, 120_000);

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  follower?.close();
  await env?.stop();
});

/** The stored listing records, by key. */
async function stored(): Promise<Map<string, ListingRecord>> {
  const repository = new ListingRecordsRepository(env.store);
  const records = [...(await repository.ofSellers(sellerIds, 'listingStage')), ...(await repository.ofSellers(sellerIds, 'listingIncentive'))];
  return new Map(records.map((r) => [r.kind === 'listingStage' ? `stage|${r.listingId}` : `incentive|${r.listingId}|${r.grantedOn}`, r]));
}

/** What the stream consumer publishes for the stream records written since the last call, in batches as Lambda hands them over. */
async function published(): Promise<{ detailType: DetailType; detail: Record<string, unknown> }[]> {
  const raw = await follower.next();
  const sent: { DetailType: string; Detail: string }[] = [];
  const publish: Publish = async (entries) => {
    sent.push(...entries);
    return [];
  };
  for (let i = 0; i < raw.length; i += 100) {
    const out = await publishChanges({ Records: raw.slice(i, i + 100) } as unknown as DynamoDBStreamEvent, publish);
    expect(out).toEqual({ batchItemFailures: [] });
  }
  return sent.map((e) => ({ detailType: e.DetailType as DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown> }));
}

/** One line per change between two states of the store: a stage that moved, an incentive granted or whose status changed. */
function realChanges(before: Map<string, ListingRecord>, after: Map<string, ListingRecord>): string[] {
  const out: string[] = [];
  for (const [key, r] of after) {
    const was = before.get(key);
    if (r.kind === 'listingStage' && (was?.kind !== 'listingStage' || was.stage !== r.stage)) out.push(`ListingStageChanged|${r.listingId}|${r.stage}`);
    if (r.kind === 'listingIncentive' && (was?.kind !== 'listingIncentive' || was.status !== r.status)) {
      out.push(`${r.status === 'active' ? 'ListingIncentiveGranted' : 'ListingIncentiveEnded'}|${r.listingId}|${r.status}`);
    }
  }
  return out.sort();
}

const summaryOf = (e: { detailType: string; detail: Record<string, unknown> }) => `${e.detailType}|${String(e.detail.listingId)}|${String(e.detail.after)}`;

describe('listing change events from the grades stream (SPEC §7.6, §8.1)', () => {
  const everyEvent: string[] = [];

  it.each(DAYS)('publishes one event per real stage or incentive change of the growth run of %s', async (date) => {
    const before = await stored();
    await runCommand('growth', { date, reason: 'listing events test', 'as-of': date });
    const after = await stored();
    const events = await published();
    for (const e of events) expect(EVENT_DETAIL_SCHEMAS[e.detailType].safeParse(e.detail).success, `${e.detailType} ${JSON.stringify(e.detail)}`).toBe(true);
    const expected = realChanges(before, after);
    expect(expected.length).toBeGreaterThan(0);
    expect(events.map(summaryOf).sort()).toEqual(expected);
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(events.length);
    everyEvent.push(...events.map(summaryOf));
  });

  it('has seen stages move and incentives granted and ended over the days', () => {
    const types = new Set(everyEvent.map((e) => e.split('|')[0]));
    expect([...types].sort()).toEqual(['ListingIncentiveEnded', 'ListingIncentiveGranted', 'ListingStageChanged']);
  });

  it('publishes nothing when the same day is run again', async () => {
    const date = DAYS[2]!;
    await runCommand('growth', { date, reason: 'same day again', 'as-of': date });
    expect(await published()).toEqual([]);
  });

  it('grader watch shows the same listing events from the stream', async () => {
    const lines: string[] = [];
    await watchCommand({ once: true, 'from-start': true }, (line) => lines.push(line));
    const listingLines = lines
      .map((l) => JSON.parse(l) as { 'detail-type': string; detail: Record<string, unknown> })
      .filter((e) => e['detail-type'].startsWith('Listing'))
      .map((e) => summaryOf({ detailType: e['detail-type'], detail: e.detail }));
    expect(listingLines.sort()).toEqual([...everyEvent].sort());
  });
});
