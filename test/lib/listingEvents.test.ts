import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../lib/calendar';
import { inForceBefore } from '../../lib/evaluateGrowth';
import { EVENT_DETAIL_SCHEMAS, gradeEvents, type GradeEvent } from '../../lib/gradeEvents';
import { growthRecords, type GrowthListing } from '../../lib/growth';
import { publishedSchemas } from '../../lib/jsonSchemas';
import type { ListingIncentiveRecord, ListingRecord, ListingStageRecord } from '../../lib/listingRecords';
import { LISTING_DETAIL_TYPES, listingEvents, type ListingEvent } from '../../lib/listingEvents';
import { LF, LISTING_FIELD_COUNT } from '../../lib/listings';
import { DEFAULT_POLICY } from '../../lib/policy';

const docs = join(import.meta.dirname, '..', '..', 'docs');
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
/** The validator of a published schema, read from docs/ (what consumers get) and compiled once. */
const onDocs = (file: string) => {
  let validate = compiled.get(file);
  if (!validate) compiled.set(file, (validate = ajv.compile(JSON.parse(readFileSync(join(docs, file), 'utf8')) as object)));
  return validate;
};

const stage = (over: Partial<ListingStageRecord> = {}): ListingStageRecord => ({
  kind: 'listingStage',
  listingId: 'p-1',
  sellerId: 's-1',
  categoryId: 'c-1',
  asOf: '2026-07-16',
  stage: 'standard',
  since: '2026-07-16',
  poolId: 'cat:c-1',
  window: { start: '2026-06-16', end: '2026-07-15' },
  growthScore: 40,
  lines: { hot: 30, superHot: 300, newPotential: 60 },
  indicators: null,
  next: { stage: 'hot', suggestions: [] },
  policyVersion: '2026.1',
  runId: 'r1',
  ...over,
});
const incentive = (over: Partial<ListingIncentiveRecord> = {}): ListingIncentiveRecord => ({
  kind: 'listingIncentive',
  listingId: 'p-1',
  sellerId: 's-1',
  categoryId: 'c-1',
  stage: 'hot',
  grantedOn: '2026-07-16',
  expiresOn: '2026-08-15',
  benefit: 'hot-product traffic boost',
  status: 'active',
  endedOn: null,
  policyVersion: '2026.1',
  runId: 'r1',
  ...over,
});
const typesOf = (events: readonly { detailType: string }[]) => events.map((e) => e.detailType);

/** Every event against its zod schema and against the JSON Schema published in docs/events/. */
function expectValid(events: readonly GradeEvent[]) {
  for (const e of events) {
    expect(EVENT_DETAIL_SCHEMAS[e.detailType].safeParse(e.detail).success, e.detailType).toBe(true);
    const validate = onDocs(`events/${e.detailType}.schema.json`);
    expect(validate(e.detail), `${e.detailType}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
}

describe('listing stage events (SPEC §7.6, §8.1)', () => {
  it('publishes nothing for a stage record rewritten with the same stage, new suggestions and numbers', () => {
    const before = stage({ stage: 'hot', next: { stage: 'superHot', suggestions: [] } });
    const after = stage({
      stage: 'hot',
      asOf: '2026-07-20',
      growthScore: 71,
      next: { stage: 'superHot', suggestions: [{ indicator: 'gmv', actual: 10, benchmark: 20, action: 'grow' }] },
      runId: 'r2',
    });
    expect(listingEvents({ oldRecord: before, newRecord: after }, 'c')).toEqual([]);
    expect(listingEvents({ oldRecord: after, newRecord: after }, 'c')).toEqual([]);
  });

  it('publishes a first stage as a change up from none, and a fall as down, with the stage in force and its day', () => {
    const [first] = listingEvents({ oldRecord: null, newRecord: stage({ stage: 'newPotential' }) }, 'c');
    expect(first).toMatchObject({ detailType: 'ListingStageChanged', detail: { direction: 'up', before: null, after: 'newPotential', listingId: 'p-1' } });
    const fell = listingEvents(
      { oldRecord: stage({ stage: 'superHot' }), newRecord: stage({ stage: 'hot', asOf: '2026-07-21', since: '2026-07-21', runId: 'r9' }) },
      'c',
    );
    expect(fell).toHaveLength(1);
    expect(fell[0]!.detail).toMatchObject({ direction: 'down', before: 'superHot', after: 'hot', since: '2026-07-21', asOf: '2026-07-21', runId: 'r9' });
    const rose = listingEvents({ oldRecord: stage({ stage: 'dormant' }), newRecord: stage({ stage: 'standard' }) }, 'c');
    expect(rose[0]!.detail).toMatchObject({ direction: 'up', before: 'dormant', after: 'standard' });
    const delisted = listingEvents({ oldRecord: stage({ stage: 'hot' }), newRecord: stage({ stage: 'delisted', poolId: null, growthScore: null }) }, 'c');
    expect(delisted[0]!.detail).toMatchObject({ direction: 'down', after: 'delisted', poolId: null, growthScore: null });
    expectValid([first!, ...fell, ...rose, ...delisted]);
  });

  it('gives the same change the same event id, and another change another id', () => {
    const change = { oldRecord: stage(), newRecord: stage({ stage: 'hot' }) };
    const id = (c: string) => listingEvents(change, c)[0]!.detail.eventId;
    expect(id('e1|k')).toBe(id('e1|k'));
    expect(id('e1|k')).not.toBe(id('e2|k'));
  });
});

describe('listing incentive events (SPEC §7.6, §8.1)', () => {
  it('publishes a grant, then its end as superseded, expired or ended, and nothing while its status stays', () => {
    const granted = listingEvents({ oldRecord: null, newRecord: incentive() }, 'c');
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({
      detailType: 'ListingIncentiveGranted',
      detail: { before: null, after: 'active', stage: 'hot', expiresOn: '2026-08-15' },
    });
    const ends: ListingEvent[] = [];
    for (const [status, endedOn] of [
      ['superseded', '2026-07-25'],
      ['expired', '2026-08-15'],
      ['ended', '2026-07-30'],
    ] as const) {
      const out = listingEvents({ oldRecord: incentive(), newRecord: incentive({ status, endedOn, runId: 'r2' }) }, 'c');
      expect(typesOf(out)).toEqual(['ListingIncentiveEnded']);
      expect(out[0]!.detail).toMatchObject({ before: 'active', after: status, endedOn, asOf: endedOn, period: '2026-07-16' });
      ends.push(...out);
    }
    expect(listingEvents({ oldRecord: incentive(), newRecord: incentive({ runId: 'r2' }) }, 'c')).toEqual([]);
    const expired = incentive({ status: 'expired', endedOn: '2026-08-15' });
    expect(listingEvents({ oldRecord: expired, newRecord: { ...expired, runId: 'r3' } }, 'c')).toEqual([]);
    expectValid([...granted, ...ends]);
  });

  it('publishes an ended incentive that a re-run of an earlier date puts back in force as granted again', () => {
    const out = listingEvents({ oldRecord: incentive({ status: 'superseded', endedOn: '2026-07-25' }), newRecord: incentive() }, 'c');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ detailType: 'ListingIncentiveGranted', detail: { before: 'superseded', after: 'active' } });
    expectValid(out);
  });
});

describe('gradeEvents on listing records', () => {
  it('turns listing records of the grades stream into the growth centre events, and a removed one into none', () => {
    expect(typesOf(gradeEvents({ oldRecord: stage(), newRecord: stage({ stage: 'hot' }) }, 'c'))).toEqual(['ListingStageChanged']);
    expect(typesOf(gradeEvents({ oldRecord: null, newRecord: incentive() }, 'c'))).toEqual(['ListingIncentiveGranted']);
    expect(gradeEvents({ oldRecord: stage(), newRecord: null }, 'c')).toEqual([]);
  });

  it('keeps the listing records and events published in docs/ equal to their zod schemas (npm run schemas)', () => {
    const files = publishedSchemas();
    const ours = ['schemas/listingStage.schema.json', 'schemas/listingIncentive.schema.json', ...LISTING_DETAIL_TYPES.map((t) => `events/${t}.schema.json`)];
    for (const file of ours) expect(JSON.parse(readFileSync(join(docs, file), 'utf8')), file).toEqual(files[file]);
  });
});

/** 60 listings of one category whose orders swing around the hot line from day to day. */
const LISTINGS: GrowthListing[] = Array.from({ length: 60 }, (_, i) => ({
  listingId: `p-${i}`,
  sellerId: `s-${i % 7}`,
  categoryId: 'c-1',
  parentId: 'p-root',
  listedOn: i % 5 === 0 ? '2026-06-20' : '2026-01-01',
  delistedOn: i === 3 ? '2026-07-08' : null,
}));
function sumsOn(day: number): Float64Array {
  const sums = new Float64Array(LISTINGS.length * LISTING_FIELD_COUNT);
  LISTINGS.forEach((_, i) => {
    const at = i * LISTING_FIELD_COUNT;
    const dormant = i % 11 === 0 && day % 4 < 2;
    const visitors = dormant ? 0 : 200 + ((i * 37 + day * 13) % 400);
    const orders = dormant ? 0 : Math.round(10 + i + 25 * Math.sin(day * 0.9 + i));
    sums[at + LF.impressions] = visitors * 3;
    sums[at + LF.visitors] = visitors;
    sums[at + LF.addToCart] = Math.round(visitors / 5);
    sums[at + LF.orders] = Math.max(0, orders);
    sums[at + LF.buyers] = Math.max(0, orders - 1);
    sums[at + LF.gmvCents] = Math.max(0, orders) * 2500;
    sums[at + LF.ratings] = Math.max(0, orders);
    sums[at + LF.positiveRatings] = Math.floor(Math.max(0, orders) * (i % 9 === 0 ? 0.8 : 0.95));
    sums[at + LF.returns] = i % 6 === 0 ? Math.floor(orders / 4) : 0;
  });
  return sums;
}

/** A change-only store of listing records (SPEC §8.1) that hands each real change to listingEvents, as the stream does. */
function changeOnlyStore() {
  const current = new Map<string, ListingRecord>();
  const history: ListingRecord[] = [];
  const keyOf = (r: ListingRecord) => (r.kind === 'listingStage' ? `${r.listingId}|stage` : `${r.listingId}|incentive#${r.grantedOn}`);
  const content = (r: ListingRecord) => JSON.stringify({ ...r, runId: '' });
  return {
    history,
    current,
    write(records: Iterable<ListingRecord>): ListingEvent[] {
      const events: ListingEvent[] = [];
      for (const r of records) {
        const was = current.get(keyOf(r)) ?? null;
        if (was && content(was) === content(r)) continue;
        current.set(keyOf(r), r);
        history.push(r);
        events.push(...listingEvents({ oldRecord: was, newRecord: r }, `${history.length}|${keyOf(r)}`));
      }
      return events;
    },
  };
}

describe('events over the growth job chained day after day', () => {
  it('publishes one event per stage change and per incentive status change, and nothing on a re-run of a day', () => {
    const store = changeOnlyStore();
    const published: ListingEvent[] = [];
    let stageChanges = 0;
    let statusChanges = 0;
    for (let d = 0; d < 24; d++) {
      const date = addDays('2026-07-01', d);
      const run = (runId: string) => {
        const inForce = inForceBefore(date, store.history);
        const none = { stage: null, incentives: [] };
        return [
          ...growthRecords({
            date,
            listings: LISTINGS,
            sums: sumsOn(d),
            policy: DEFAULT_POLICY,
            runId,
            inForce: (i) => inForce.get(LISTINGS[i]!.listingId) ?? none,
          }),
        ];
      };
      const records = run(`run-${date}`);
      for (const r of records) {
        const was = store.current.get(r.kind === 'listingStage' ? `${r.listingId}|stage` : `${r.listingId}|incentive#${r.grantedOn}`);
        if (r.kind === 'listingStage' && (was as ListingStageRecord | undefined)?.stage !== r.stage) stageChanges++;
        if (r.kind === 'listingIncentive' && (was as ListingIncentiveRecord | undefined)?.status !== r.status) statusChanges++;
      }
      published.push(...store.write(records));
      expect(store.write(run(`rerun-${date}`)), `re-run of ${date}`).toEqual([]);
    }
    const count = (t: string) => published.filter((e) => e.detailType === t).length;
    expect(count('ListingStageChanged')).toBe(stageChanges);
    expect(count('ListingIncentiveGranted') + count('ListingIncentiveEnded')).toBe(statusChanges);
    // the scenario exercises every kind of event, moves down included
    expect(count('ListingIncentiveGranted')).toBeGreaterThan(0);
    expect(count('ListingIncentiveEnded')).toBeGreaterThan(0);
    expect(published.some((e) => e.detailType === 'ListingStageChanged' && e.detail.direction === 'down')).toBe(true);
    expect(new Set(published.map((e) => e.detail.eventId)).size).toBe(published.length);
    expectValid(published);
  });
});
