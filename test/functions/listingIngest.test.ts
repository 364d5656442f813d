import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ingestListingMessages, type ListingSink, type ListingSpan } from '../../functions/listingIngest';
import { MESSAGE_DELIVERIES } from '../../lib/feedMessage';
import { InputBoundary } from '../../lib/inputBoundary';
import { parseJsonLine } from '../../lib/jsonLines';
import type { Listing, ListingMetricRow } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { QuarantineRecord } from '../../lib/records';

// The handler is tested against the ListingSink interface with an in-memory sink that records
// what it is asked to do; test/integration/listingFeed.test.ts runs it on the tables.

const NOW = '2026-07-20T12:00:00Z';
const categories = [{ categoryId: 'c-1', parentId: 'p-1', name: 'Shoes' }];
const sellers = [{ sellerId: 's-1', categoryId: 'c-1' }];

function memorySink(stored: ListingSpan[] = []) {
  const calls: string[] = [];
  const listings = new Map(stored.map((l) => [l.listingId, l]));
  const rows: ListingMetricRow[] = [];
  const quarantined: QuarantineRecord[] = [];
  const sink: ListingSink = {
    reference: async () => ({ categories, sellers }),
    listingSpans: async (ids) => ids.flatMap((id) => (listings.has(id) ? [listings.get(id)!] : [])),
    putListings: async (ls: readonly Listing[]) => {
      calls.push('putListings');
      for (const l of ls) listings.set(l.listingId, { listingId: l.listingId, listedOn: l.listedOn, delistedOn: l.delistedOn ?? null });
    },
    putListingRows: async (rs) => {
      calls.push('putListingRows');
      rows.push(...rs);
    },
    quarantine: async (records) => {
      if (records.length > 0) calls.push('quarantine');
      quarantined.push(...records);
    },
  };
  return { sink, calls, listings, rows, quarantined };
}

const lines = (...values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
function sqsEvent(...messages: { id: string; kind?: string; body: string; deliveries?: number }[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.id,
      body: m.body,
      attributes: { ApproximateReceiveCount: String(m.deliveries ?? 1) },
      messageAttributes: m.kind ? { kind: { stringValue: m.kind, dataType: 'String' } } : {},
    })),
  } as unknown as SQSEvent;
}
const row = (listingId: string, date: string, visitors = 3) => ({
  listingId,
  date,
  impressions: 10,
  visitors,
  addToCart: 1,
  orders: 1,
  buyers: 1,
  gmvCents: 1999,
  ratings: 1,
  positiveRatings: 1,
  returns: 0,
});
const deps = (sink: ListingSink) => ({ sink, policy: DEFAULT_POLICY, now: () => NOW });

describe('the listing feed (SPEC §3.5, docs/ingestion.md)', () => {
  it('stores the valid listings of a message and quarantines the bad ones first, with the reasons of the input boundary', async () => {
    const m = memorySink();
    const body = lines(
      { listingId: 'p-1', sellerId: 's-1', categoryId: 'c-1', listedOn: '2026-07-01' },
      { listingId: 'p-2', sellerId: 's-9', categoryId: 'c-1', listedOn: '2026-07-01' },
      { listingId: 'p-3', sellerId: 's-1', categoryId: 'c-1', listedOn: '2026-07-05', delistedOn: '2026-07-02' },
      { listingId: 'p-1', sellerId: 's-1', categoryId: 'c-1', listedOn: '2026-07-02' },
      'not json',
    );
    expect(await ingestListingMessages(sqsEvent({ id: 'm1', kind: 'listings', body }), deps(m.sink))).toEqual({ batchItemFailures: [] });
    expect([...m.listings.keys()]).toEqual(['p-1']);
    expect(m.calls).toEqual(['quarantine', 'putListings']);
    // the same lines through one boundary, as grader score and grader import read a file
    const offline = new InputBoundary({ policy: DEFAULT_POLICY, ingestedOn: '2026-07-20' }, { categories, sellers });
    body.split('\n').forEach((text, i) => offline.listing(parseJsonLine(text, i + 1)!));
    expect(m.quarantined.map((q) => q.reason)).toEqual(offline.quarantined.map((q) => q.reason));
    expect(m.quarantined).toHaveLength(4);
  });

  it('lets rows of a listing not stored yet wait for it, and quarantines them as rows of an unknown listing only on the last delivery', async () => {
    const m = memorySink([{ listingId: 'p-1', listedOn: '2026-07-01', delistedOn: null }]);
    const body = lines(row('p-1', '2026-07-10'), row('p-7', '2026-07-10'));
    const first = await ingestListingMessages(sqsEvent({ id: 'm2', kind: 'listingMetrics', body }), deps(m.sink));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(m.calls).toEqual([]);
    const last = await ingestListingMessages(sqsEvent({ id: 'm2', kind: 'listingMetrics', body, deliveries: MESSAGE_DELIVERIES }), deps(m.sink));
    expect(last).toEqual({ batchItemFailures: [] });
    expect(m.rows.map((r) => r.listingId)).toEqual(['p-1']);
    expect(m.quarantined.map((q) => q.reason)).toEqual(['listing p-7, 2026-07-10: unknown listing']);
  });

  it('checks rows against the stored listing: a row before listedOn, a repeated key and visitors above impressions are quarantined', async () => {
    const m = memorySink([{ listingId: 'p-1', listedOn: '2026-07-05', delistedOn: null }]);
    const body = lines(row('p-1', '2026-07-04'), row('p-1', '2026-07-06'), row('p-1', '2026-07-06'), row('p-1', '2026-07-07', 11));
    await ingestListingMessages(sqsEvent({ id: 'm3', kind: 'listingMetrics', body }), deps(m.sink));
    expect(m.rows.map((r) => r.date)).toEqual(['2026-07-06']);
    expect(m.quarantined).toHaveLength(3);
    expect(m.quarantined.map((q) => q.source)).toEqual(['listingMetrics', 'listingMetrics', 'listingMetrics']);
  });

  it('sets aside a message without a known kind at once, never storing its lines', async () => {
    const m = memorySink();
    const body = lines({ listingId: 'p-1', sellerId: 's-1', categoryId: 'c-1', listedOn: '2026-07-01' });
    expect(await ingestListingMessages(sqsEvent({ id: 'm4', body }), deps(m.sink))).toEqual({ batchItemFailures: [] });
    expect(m.listings.size).toBe(0);
    expect(m.quarantined).toHaveLength(1);
    expect(m.quarantined[0]!.reason).toMatch(/attribute kind must be listings or listingMetrics/);
  });

  it('reports a message whose store failed alone, so SQS delivers it again, and stores the others of the batch', async () => {
    const m = memorySink();
    const failing: ListingSink = { ...m.sink, putListings: () => Promise.reject(new Error('throttled')) };
    const body = lines({ listingId: 'p-1', sellerId: 's-1', categoryId: 'c-1', listedOn: '2026-07-01' });
    const out = await ingestListingMessages(
      sqsEvent({ id: 'a', kind: 'listings', body }, { id: 'b', kind: 'listingMetrics', body: lines(row('p-5', '2026-07-02')), deliveries: MESSAGE_DELIVERIES }),
      deps(failing),
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(m.quarantined.map((q) => q.source)).toEqual(['listingMetrics']);
  });
});
