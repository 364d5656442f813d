import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchGet, batchPut } from '../../functions/data/batch';
import { countRequest, RequestStats } from '../../functions/data/requestStats';
import { localStore } from '../helpers/localStore';

let env: Awaited<ReturnType<typeof localStore>>;

beforeAll(async () => {
  env = await localStore();
});

afterAll(async () => {
  await env?.stop();
});

const key = (item: string) => ({ jobPeriod: 'stats#test', item });

/** The counts one step adds to the store's stats. */
async function counted(step: () => Promise<unknown>): Promise<Omit<RequestStats, 'add'>> {
  env.store.stats = new RequestStats();
  await step();
  const { requests, itemsRead, itemsWritten, capacityUnits, writeUnits, retries } = env.store.stats;
  return { requests, itemsRead, itemsWritten, capacityUnits, writeUnits, retries };
}

describe('the store counts every request it sends, once', () => {
  it('counts batched writes and reads by the items the server took and gave', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ ...key(`b${i}`), payload: 'x'.repeat(100) }));
    const written = await counted(() => batchPut(env.store.doc, env.store.tables.runs, items, new RequestStats()));
    expect(written).toMatchObject({ requests: 2, itemsWritten: 30, itemsRead: 0, retries: 0 });
    expect(written.writeUnits).toBe(written.capacityUnits);
    expect(written.writeUnits).toBeGreaterThanOrEqual(30);

    const read = await counted(() => batchGet(env.store.doc, env.store.tables.runs, [...items.map((i) => key(i.item)), key('absent')], new RequestStats()));
    expect(read).toMatchObject({ requests: 1, itemsRead: 30, itemsWritten: 0, writeUnits: 0 });
    expect(read.capacityUnits).toBeGreaterThan(0);
  });

  it('counts a single read or write sent on the document client, and a query by the items it returned', async () => {
    const doc = env.store.doc;
    const table = env.store.tables.runs;
    expect(await counted(() => doc.send(new GetCommand({ TableName: table, Key: key('b1') })))).toMatchObject({ requests: 1, itemsRead: 1 });
    expect(await counted(() => doc.send(new GetCommand({ TableName: table, Key: key('absent') })))).toMatchObject({ requests: 1, itemsRead: 0 });
    expect(await counted(() => doc.send(new PutCommand({ TableName: table, Item: key('single') })))).toMatchObject({ requests: 1, itemsWritten: 1 });
    const query = new QueryCommand({ TableName: table, KeyConditionExpression: 'jobPeriod = :p', ExpressionAttributeValues: { ':p': 'stats#test' } });
    expect(await counted(() => doc.send(query))).toMatchObject({ requests: 1, itemsRead: 31 });
  });

  it('counts a refused conditional write as a request that wrote nothing', async () => {
    const refused = counted(() =>
      env.store.doc.send(
        new PutCommand({
          TableName: env.store.tables.runs,
          Item: key('single'),
          ConditionExpression: 'attribute_not_exists(#i)',
          ExpressionAttributeNames: { '#i': 'item' },
        }),
      ),
    );
    await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(env.store.stats).toMatchObject({ requests: 1, itemsWritten: 0 });
  });

  it('counts into the stats the store holds when the request is sent', async () => {
    const before = env.store.stats;
    const after = new RequestStats();
    env.store.stats = after;
    await env.store.doc.send(new GetCommand({ TableName: env.store.tables.runs, Key: key('b1') }));
    expect(after.requests).toBe(1);
    expect(before.requests).toBe(1);
  });

  it('counts a transaction by the items it writes, not its condition checks', async () => {
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: env.store.tables.runs, Item: key('t1') } },
        { Put: { TableName: env.store.tables.runs, Item: key('t2') } },
        {
          ConditionCheck: {
            TableName: env.store.tables.runs,
            Key: key('b1'),
            ConditionExpression: 'attribute_exists(#i)',
            ExpressionAttributeNames: { '#i': 'item' },
          },
        },
      ],
    });
    expect(await counted(() => env.store.doc.send(transaction))).toMatchObject({ requests: 1, itemsWritten: 2 });
  });
});

describe('the counting rule, for a store that is not an SDK client', () => {
  it('reads the document client command names as their operations', () => {
    const stats = new RequestStats();
    countRequest(
      stats,
      'BatchWriteCommand',
      { RequestItems: { t: [{}, {}, {}] } },
      { UnprocessedItems: { t: [{}] }, ConsumedCapacity: [{ CapacityUnits: 2 }] },
    );
    countRequest(stats, 'GetCommand', {}, { Item: {}, ConsumedCapacity: { CapacityUnits: 0.5 } });
    countRequest(stats, 'UpdateCommand', {}, undefined);
    expect({ ...stats }).toEqual({ requests: 3, itemsRead: 1, itemsWritten: 2, capacityUnits: 2.5, writeUnits: 2, retries: 0 });
  });
});
