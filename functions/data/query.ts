import { QueryCommand, ScanCommand, type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item, RequestStats } from './batch';

/** Every item of a query or a scan, page by page. */
async function paginate(
  doc: DynamoDBDocumentClient,
  command: (page: Record<string, unknown> | undefined) => QueryCommand | ScanCommand,
  stats: RequestStats,
): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(command(ExclusiveStartKey) as QueryCommand);
    stats.requests++;
    stats.capacityUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
    stats.itemsRead += out.Items?.length ?? 0;
    items.push(...((out.Items ?? []) as Item[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput, stats: RequestStats): Promise<Item[]> {
  return paginate(doc, (ExclusiveStartKey) => new QueryCommand({ ...input, ExclusiveStartKey, ReturnConsumedCapacity: 'TOTAL' }), stats);
}

function scanAll(doc: DynamoDBDocumentClient, input: ScanCommandInput, stats: RequestStats): Promise<Item[]> {
  return paginate(doc, (ExclusiveStartKey) => new ScanCommand({ ...input, ExclusiveStartKey, ReturnConsumedCapacity: 'TOTAL' }), stats);
}

export { queryAll, scanAll };
