import { QueryCommand, ScanCommand, type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item, RequestStats } from './batch';

/** Every item of a query, page by page. */
async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput, stats: RequestStats): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey, ReturnConsumedCapacity: 'TOTAL' }));
    stats.requests++;
    stats.capacityUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
    stats.itemsRead += out.Items?.length ?? 0;
    items.push(...((out.Items ?? []) as Item[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Every item of a table, page by page. */
async function scanAll(doc: DynamoDBDocumentClient, input: ScanCommandInput, stats: RequestStats): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey, ReturnConsumedCapacity: 'TOTAL' }));
    stats.requests++;
    stats.capacityUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
    stats.itemsRead += out.Items?.length ?? 0;
    items.push(...((out.Items ?? []) as Item[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export { queryAll, scanAll };
