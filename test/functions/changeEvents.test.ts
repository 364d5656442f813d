import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { Ajv2020 } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishChanges, type Publish } from '../../functions/changeEvents';
import { recordChanges } from '../../functions/data/gradeStream';
import { importData } from '../../functions/jobs/importData';
import { simulate } from '../../functions/local/simulate';
import { followGradesStream } from '../../functions/local/streamFollower';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS, type DetailType } from '../../lib/gradeEvents';
import { publishedSchemas } from '../../lib/jsonSchemas';
import { DEFAULT_POLICY } from '../../lib/policy';
import type { GradeRecord } from '../../lib/records';
import { syntheticCompliance as complianceInputs } from '../../functions/local/syntheticCompliance';
import { smallMarket } from '../helpers/fixtures';
import { memoryStore } from '../helpers/localStore';

const docs = join(import.meta.dirname, '..', '..', 'docs');
const m = smallMarket(80, '2026-02-01', '2026-08-31', 13);
const c = complianceInputs(m.market.categories, m.market.sellers, 5);
// dates are checked by the schemas' patterns; ajv's format keywords need a plugin this test does without
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
/** The validator of a published schema, read from docs/ (what consumers get) and compiled once. */
const schemaOn = (file: string) => {
  let validate = compiled.get(file);
  if (!validate) compiled.set(file, (validate = ajv.compile(JSON.parse(readFileSync(join(docs, file), 'utf8')) as object)));
  return validate;
};
let env: Awaited<ReturnType<typeof memoryStore>>;
let streamEvents: DynamoDBStreamEvent[];

beforeAll(async () => {
  env = await memoryStore();
  await importData(
    env.store,
    { categories: c.categories, sellers: m.market.sellers, grants: m.market.grants, metrics: m.rows, exposure: c.exposure, registrations: c.registrations },
    { policy: DEFAULT_POLICY, importId: 'events', now: '2026-09-01T00:00:00Z' },
  );
  await simulate({ from: '2026-06-25', to: '2026-08-05' }, env.deps, () => {}, { fanOut: false });
  // the raw stream, as Lambda's event source mapping hands it over: batches of up to 100 records
  const follower = await followGradesStream(env.store, env.embedded.endpoint);
  const raw = await follower.next();
  follower.close();
  streamEvents = [];
  for (let i = 0; i < raw.length; i += 100) streamEvents.push({ Records: raw.slice(i, i + 100) } as unknown as DynamoDBStreamEvent);
}, 300_000);

afterAll(async () => {
  await env?.stop();
});

/** A bus stand-in that keeps what it is sent; `refuse` makes it refuse entries, as PutEvents can. */
function bus(refuse: (n: number) => boolean = () => false) {
  const sent: { DetailType: string; Detail: string; Source: string }[] = [];
  let n = 0;
  const publish: Publish = async (entries) => {
    const refused = entries.flatMap((_, i) => (refuse(n++) ? [i] : []));
    if (refused.length === 0) sent.push(...entries);
    return refused;
  };
  return { sent, publish };
}

describe('change events from the grades stream (SPEC §8.1)', () => {
  it('keeps the published JSON Schemas in docs/ equal to the zod schemas', () => {
    for (const [file, schema] of Object.entries(publishedSchemas())) {
      expect(JSON.parse(readFileSync(join(docs, file), 'utf8')), `docs/${file}: run npm run schemas`).toEqual(schema);
    }
  });

  it('checks every record the runs wrote, packed daily scores included, against its JSON Schema', () => {
    const byKind = new Map<string, number>();
    for (const record of streamEvents.flatMap((e) => e.Records)) {
      const image = record.dynamodb?.NewImage ? (unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>) : undefined;
      for (const change of recordChanges(undefined, image)) {
        const r = change.newRecord as GradeRecord;
        const validate = schemaOn(`schemas/${r.kind}.schema.json`);
        expect(validate(r), `${r.kind} of ${r.sellerId}: ${JSON.stringify(validate.errors)}`).toBe(true);
        byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
      }
    }
    for (const kind of ['dailyScore', 'operationTier', 'serviceLevel', 'merchantAssessment', 'goodSellerGrant', 'status', 'healthCheck']) {
      expect(byKind.get(kind), kind).toBeGreaterThan(0);
    }
  });

  it('turns the real stream into events, each matching its JSON Schema, the same ids on a replay', async () => {
    const first = bus();
    for (const event of streamEvents) expect(await publishChanges(event, first.publish)).toEqual({ batchItemFailures: [] });
    const types = new Map<string, number>();
    for (const e of first.sent) {
      expect(e.Source).toBe('seller-grader');
      expect(DETAIL_TYPES).toContain(e.DetailType);
      const detail = JSON.parse(e.Detail) as Record<string, unknown>;
      const validate = schemaOn(`events/${e.DetailType}.schema.json`);
      expect(validate(detail), `${e.DetailType}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(EVENT_DETAIL_SCHEMAS[e.DetailType as DetailType].safeParse(detail).success).toBe(true);
      types.set(e.DetailType, (types.get(e.DetailType) ?? 0) + 1);
    }
    for (const type of [
      'OperationTierChanged',
      'ServiceLevelChanged',
      'MerchantTierChanged',
      'StorefrontLabelChanged',
      'GoodSellerGrantStarted',
      'CriticalFindingOpened',
    ]) {
      expect(types.get(type), type).toBeGreaterThan(0);
    }
    const again = bus();
    for (const event of streamEvents) await publishChanges(event, again.publish);
    expect(again.sent.map((e) => (JSON.parse(e.Detail) as { eventId: string }).eventId)).toEqual(
      first.sent.map((e) => (JSON.parse(e.Detail) as { eventId: string }).eventId),
    );
  });

  it('publishes a status change as tier, level and label events exactly when those fields changed', async () => {
    const { sent, publish } = bus();
    for (const event of streamEvents) await publishChanges(event, publish);
    let tierChanges = 0;
    for (const record of streamEvents.flatMap((e) => e.Records)) {
      const image = (i: unknown) => (i ? (unmarshall(i as never) as Record<string, unknown>) : undefined);
      for (const change of recordChanges(image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage))) {
        if (change.newRecord?.kind !== 'status') continue;
        const before = change.oldRecord?.kind === 'status' ? change.oldRecord.operationTier?.tier : undefined;
        if (change.newRecord.operationTier && before !== change.newRecord.operationTier.tier) tierChanges++;
      }
    }
    expect(sent.filter((e) => e.DetailType === 'OperationTierChanged')).toHaveLength(tierChanges);
  });

  it('reports the first record it could not publish, so that Lambda retries from there and skips nothing', async () => {
    const event = streamEvents.find((e) => e.Records.some((r) => (r.dynamodb?.NewImage as { kind?: { S?: string } })?.kind?.S === 'status'))!;
    const { publish } = bus(() => true);
    const out = await publishChanges(event, publish);
    const first = event.Records.find((r) => (r.dynamodb?.NewImage as { kind?: { S?: string } })?.kind?.S === 'status' || false);
    expect(out.batchItemFailures).toHaveLength(1);
    expect(out.batchItemFailures[0]!.itemIdentifier).toBeDefined();
    expect(event.Records.findIndex((r) => r.dynamodb?.SequenceNumber === out.batchItemFailures[0]!.itemIdentifier)).toBeLessThanOrEqual(
      event.Records.indexOf(first!),
    );
  });
});
