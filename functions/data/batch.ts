import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RequestStats } from './requestStats';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

const WRITE_BATCH = 25;
const GET_BATCH = 100;
const MAX_ATTEMPTS = 10;

/** Splits a list into chunks of at most `size`. */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs tasks with at most `limit` in flight: the bounded worker pool of the local runs. After a
 * failure no new task starts, and it rejects only once the tasks in flight have settled, so a
 * failed run leaves no write behind that could land after a retry began.
 */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}

/** Exponential backoff with full jitter, capped at 2 s. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(2000, 25 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes items in batches of 25, retrying unprocessed items with backoff until none is left. The
 * store counts the requests; `stats.retries` counts the rounds sent again.
 */
function batchPut(doc: DynamoDBDocumentClient, table: string, items: Item[], stats: RequestStats, concurrency = 32): Promise<void> {
  return batchWrite(
    doc,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    stats,
    concurrency,
  );
}

/** Deletes items by key in batches of 25, retrying unprocessed ones with backoff. */
function batchDelete(doc: DynamoDBDocumentClient, table: string, keys: Key[], stats: RequestStats, concurrency = 32): Promise<void> {
  return batchWrite(
    doc,
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
    stats,
    concurrency,
  );
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

async function batchWrite(doc: DynamoDBDocumentClient, table: string, requests: WriteRequest[], stats: RequestStats, concurrency: number): Promise<void> {
  await mapLimit(chunks(requests, WRITE_BATCH), concurrency, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWriteItem on ${table}: ${pending.length} items still unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) {
        stats.retries++;
        await backoff(attempt);
      }
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending }, ReturnConsumedCapacity: 'TOTAL' }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  });
}

/** Reads items by key in batches of 100, retrying unprocessed keys with backoff (counted in `stats.retries`); missing keys are absent. */
async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Key[],
  stats: RequestStats,
  options: { projection?: string[]; concurrency?: number; consistent?: boolean } = {},
): Promise<Item[]> {
  const names = options.projection ? Object.fromEntries(options.projection.map((p, i) => [`#p${i}`, p])) : undefined;
  const results = await mapLimit(chunks(keys, GET_BATCH), options.concurrency ?? 8, async (chunk) => {
    const found: Item[] = [];
    let pending: Key[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGetItem on ${table}: ${pending.length} keys still unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) {
        stats.retries++;
        await backoff(attempt);
      }
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ...(options.consistent ? { ConsistentRead: true } : {}),
              ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
            },
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      found.push(...((out.Responses?.[table] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
    return found;
  });
  return results.flat();
}

export { RequestStats, batchDelete, batchGet, batchPut, chunks, mapLimit };
export type { Item, Key };
