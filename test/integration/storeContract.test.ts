import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll } from '../../functions/data/query';
import { openMemoryStore } from '../../functions/data/memoryStore';
import { RunsRepository } from '../../functions/data/runsRepository';
import type { Store } from '../../functions/data/store';
import { GRADES_LOOKUP_INDEX } from '../../functions/data/tables';
import { followGradesStream } from '../../functions/local/streamFollower';
import { localStore } from '../helpers/localStore';

/**
 * The store's contract, as the product relies on it, held by both implementations: DynamoDB Local
 * (AWS's engine, over HTTP) and the in-memory store that `grader score` and the fast tests use.
 */
type Backend = { store: Store; endpoint: string; stop: () => Promise<void> };

const backends: [string, () => Promise<Backend>][] = [
  [
    'DynamoDB Local',
    async () => {
      const env = await localStore();
      return { store: env.store, endpoint: env.embedded.endpoint, stop: env.stop };
    },
  ],
  ['the memory store', async () => ({ store: openMemoryStore(), endpoint: '', stop: async () => {} })],
];

describe.each(backends)('the store contract on %s', (_name, open) => {
  let b: Backend;
  let doc: Store['doc'];
  let t: Store['tables'];
  beforeAll(async () => {
    b = await open();
    doc = b.store.doc;
    t = b.store.tables;
  });
  afterAll(() => b?.stop());

  it('writes conditionally: a failed condition changes nothing and can hand back the item it met', async () => {
    await doc.send(
      new PutCommand({
        TableName: t.runs,
        Item: { jobPeriod: 'c#1', item: 'lock', owner: 'a', n: 1 },
        ConditionExpression: 'attribute_not_exists(#i)',
        ExpressionAttributeNames: { '#i': 'item' },
      }),
    );
    const again = doc.send(
      new PutCommand({
        TableName: t.runs,
        Item: { jobPeriod: 'c#1', item: 'lock', owner: 'b', n: 2 },
        ConditionExpression: 'attribute_not_exists(#i)',
        ExpressionAttributeNames: { '#i': 'item' },
      }),
    );
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const failed = await doc
      .send(
        new UpdateCommand({
          TableName: t.runs,
          Key: { jobPeriod: 'c#1', item: 'lock' },
          UpdateExpression: 'SET n = :n',
          ConditionExpression: '#o = :me',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':n': 9, ':me': 'b' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e as ConditionalCheckFailedException);
    expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
    expect(unmarshall((failed as ConditionalCheckFailedException).Item as never)).toEqual({ jobPeriod: 'c#1', item: 'lock', owner: 'a', n: 1 });
    expect((await doc.send(new GetCommand({ TableName: t.runs, Key: { jobPeriod: 'c#1', item: 'lock' } }))).Item).toEqual({
      jobPeriod: 'c#1',
      item: 'lock',
      owner: 'a',
      n: 1,
    });
  });

  it('updates with SET, arithmetic, ADD and REMOVE, each right-hand side reading the item before the update', async () => {
    const out = await doc.send(
      new UpdateCommand({
        TableName: t.runs,
        Key: { jobPeriod: 'c#2', item: 'x' },
        UpdateExpression: 'SET attempts = if_not_exists(attempts, :zero) + :one, leaseUntil = :t ADD revision :one',
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':t': '2026-01-01' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(out.Attributes).toEqual({ jobPeriod: 'c#2', item: 'x', attempts: 1, leaseUntil: '2026-01-01', revision: 1 });
    const next = await doc.send(
      new UpdateCommand({
        TableName: t.runs,
        Key: { jobPeriod: 'c#2', item: 'x' },
        UpdateExpression: 'SET attempts = attempts + :one REMOVE leaseUntil ADD revision :one',
        ConditionExpression: 'leaseUntil < :now OR attempts = :one',
        ExpressionAttributeValues: { ':one': 1, ':now': '2025-01-01' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(next.Attributes).toEqual({ jobPeriod: 'c#2', item: 'x', attempts: 2, revision: 2 });
  });

  it('refuses what DynamoDB refuses: an unused value, a reserved word, a key update, an item over 400 KB', async () => {
    const refused = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ name: 'ValidationException' });
    await refused(
      doc.send(new GetCommand({ TableName: t.runs, Key: { jobPeriod: 'c#3', item: 'x' }, ProjectionExpression: 'a', ExpressionAttributeNames: { '#n': 'n' } })),
    );
    await refused(
      doc.send(
        new UpdateCommand({
          TableName: t.runs,
          Key: { jobPeriod: 'c#3', item: 'x' },
          UpdateExpression: 'SET status = :s',
          ExpressionAttributeValues: { ':s': 'running' },
        }),
      ),
    );
    await refused(
      doc.send(
        new UpdateCommand({
          TableName: t.runs,
          Key: { jobPeriod: 'c#3', item: 'x' },
          UpdateExpression: 'SET #i = :s',
          ExpressionAttributeNames: { '#i': 'item' },
          ExpressionAttributeValues: { ':s': 'y' },
        }),
      ),
    );
    await refused(doc.send(new PutCommand({ TableName: t.runs, Item: { jobPeriod: 'c#3', item: 'big', blob: 'x'.repeat(410 * 1024) } })));
    await refused(
      doc.send(
        new BatchGetCommand({
          RequestItems: {
            [t.runs]: {
              Keys: [
                { jobPeriod: 'a', item: 'b' },
                { jobPeriod: 'a', item: 'b' },
              ],
            },
          },
        }),
      ),
    );
    await refused(
      doc.send(
        new BatchWriteCommand({
          RequestItems: { [t.runs]: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { jobPeriod: 'a', item: `i${i}` } } })) },
        }),
      ),
    );
  });

  it('cancels a transaction whole when one condition fails', async () => {
    const write = (seq: number, condition: string) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: t.runs,
                Item: { jobPeriod: 'c#4', item: `v${seq}` },
                ConditionExpression: 'attribute_not_exists(#i)',
                ExpressionAttributeNames: { '#i': 'item' },
              },
            },
            {
              Update: {
                TableName: t.runs,
                Key: { jobPeriod: 'c#4', item: 'head' },
                UpdateExpression: 'SET seq = :seq',
                ConditionExpression: condition,
                ExpressionAttributeValues: { ':seq': seq, ...(seq > 1 ? { ':previous': seq - 1 } : {}) },
              },
            },
          ],
        }),
      );
    await write(1, 'attribute_not_exists(seq)');
    await expect(write(1, 'attribute_not_exists(seq)')).rejects.toBeInstanceOf(TransactionCanceledException);
    await expect(write(3, 'seq = :previous')).rejects.toBeInstanceOf(TransactionCanceledException);
    expect((await doc.send(new GetCommand({ TableName: t.runs, Key: { jobPeriod: 'c#4', item: 'v3' } }))).Item).toBeUndefined();
    await write(2, 'seq = :previous');
    expect((await doc.send(new GetCommand({ TableName: t.runs, Key: { jobPeriod: 'c#4', item: 'head' } }))).Item?.seq).toBe(2);
  });

  it('queries in key order, both ways, by prefix and range, and pages by Limit and by the 1 MB page', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ jobPeriod: 'c#5', item: `shard#${String(i).padStart(3, '0')}`, pad: 'p'.repeat(30_000) }));
    for (const item of items) await doc.send(new PutCommand({ TableName: t.runs, Item: item }));
    await doc.send(new PutCommand({ TableName: t.runs, Item: { jobPeriod: 'c#5', item: 'other' } }));
    const before = b.store.stats.requests;
    const all = await queryAll(doc, {
      TableName: t.runs,
      KeyConditionExpression: 'jobPeriod = :p AND begins_with(#i, :s)',
      ExpressionAttributeNames: { '#i': 'item' },
      ExpressionAttributeValues: { ':p': 'c#5', ':s': 'shard#' },
    });
    expect(all.map((i) => i.item)).toEqual(items.map((i) => i.item));
    expect(b.store.stats.requests - before).toBe(2);
    const pages: string[][] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: t.runs,
          KeyConditionExpression: 'jobPeriod = :p AND #i BETWEEN :a AND :b',
          ExpressionAttributeNames: { '#i': 'item' },
          ExpressionAttributeValues: { ':p': 'c#5', ':a': 'shard#010', ':b': 'shard#016' },
          ScanIndexForward: false,
          Limit: 3,
          ProjectionExpression: '#i',
          ExclusiveStartKey,
        }),
      );
      pages.push((out.Items ?? []).map((i) => i.item as string));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    expect(pages.flat()).toEqual(['016', '015', '014', '013', '012', '011', '010'].map((n) => `shard#${n}`));
    expect(pages[0]).toHaveLength(3);
  });

  it('keeps an index of the items that carry its keys, and filters after reading', async () => {
    for (const [sellerId, kind] of [
      ['s1', 'a'],
      ['s2', 'a'],
      ['s3', 'b'],
    ] as const)
      await doc.send(
        new PutCommand({
          TableName: t.grades,
          Item: { sellerId, sk: `operationTier#2026-07`, lookupPk: `tier#${kind}`, lookupSk: sellerId, bad: sellerId === 's2' ? 1 : 0 },
        }),
      );
    await doc.send(new PutCommand({ TableName: t.grades, Item: { sellerId: 's4', sk: 'x' } }));
    const out = await doc.send(
      new QueryCommand({
        TableName: t.grades,
        IndexName: GRADES_LOOKUP_INDEX,
        KeyConditionExpression: 'lookupPk = :p',
        ExpressionAttributeValues: { ':p': 'tier#a' },
      }),
    );
    expect(out.Items?.map((i) => i.sellerId)).toEqual(['s1', 's2']);
    await doc.send(new DeleteCommand({ TableName: t.grades, Key: { sellerId: 's1', sk: 'operationTier#2026-07' } }));
    const scanned = await doc.send(new ScanCommand({ TableName: t.grades, FilterExpression: 'bad = :one', ExpressionAttributeValues: { ':one': 1 } }));
    expect(scanned.Items?.map((i) => i.sellerId)).toEqual(['s2']);
    const again = await doc.send(
      new QueryCommand({
        TableName: t.grades,
        IndexName: GRADES_LOOKUP_INDEX,
        KeyConditionExpression: 'lookupPk = :p',
        ExpressionAttributeValues: { ':p': 'tier#a' },
      }),
    );
    expect(again.Items?.map((i) => i.sellerId)).toEqual(['s2']);
  });

  it('streams a change of the grades table once, and a rewrite of equal content not at all', async () => {
    const follower = await followGradesStream(b.store, b.endpoint);
    const item = { sellerId: 's9', sk: 'status#2026-07-01', v: 1 };
    await doc.send(new PutCommand({ TableName: t.grades, Item: item }));
    await doc.send(new PutCommand({ TableName: t.grades, Item: item }));
    await doc.send(new PutCommand({ TableName: t.grades, Item: { ...item, v: 2 } }));
    await doc.send(new DeleteCommand({ TableName: t.grades, Key: { sellerId: 's9', sk: 'status#2026-07-01' } }));
    const records = (await follower.next()).filter((r) => unmarshall(r.dynamodb!.Keys as never).sellerId === 's9');
    follower.close();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(unmarshall(records[1]!.dynamodb!.OldImage as never)).toEqual(item);
  });

  it('claims a run once: a second claim of a live run is busy (the runs repository on this store)', async () => {
    const runs = new RunsRepository(b.store);
    const draft = {
      runId: 'r1',
      job: 'daily',
      period: '2026-07-01',
      trigger: 'operator',
      requestedBy: 'test',
      reason: 'contract',
      asOf: '2026-07-01',
      policyVersion: 'v1',
      statusPolicyVersion: null,
      dryRun: false,
      sellers: null,
      categories: null,
      startedAt: '2026-07-01T00:00:00Z',
      leaseUntil: '2026-07-01T00:05:00Z',
      owner: 'one',
    } as const;
    const first = await runs.claim(draft, '2026-07-01T00:00:00Z');
    const second = await runs.claim({ ...draft, owner: 'two' }, '2026-07-01T00:00:01Z');
    const late = await runs.claim({ ...draft, owner: 'three', leaseUntil: '2026-07-01T00:20:00Z' }, '2026-07-01T00:10:00Z');
    expect([first.state, second.state, late.state]).toEqual(['started', 'busy', 'resumed']);
    expect([late.run.owner, late.run.attempts]).toEqual(['three', 2]);
  });
});
