import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../data/client';
import { followMemoryStream, isMemoryStore } from '../data/memoryStore';
import type { Store } from '../data/store';

/**
 * Follows the grades table's stream on DynamoDB Local over HTTP, as Lambda's event source mapping
 * does in AWS: `next()` returns the raw stream records written since the last call, shard by
 * shard, in order. `grader watch` and the tests read the stream through it.
 */
async function followGradesStream(store: Store, endpoint: string, options: { fromStart?: boolean } = {}) {
  if (isMemoryStore(store)) return followMemoryStream(store, store.tables.grades, options) as { next: () => Promise<_Record[]>; close: () => void };
  const client = new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const table = await store.client.send(new DescribeTableCommand({ TableName: store.tables.grades }));
  const streamArn = table.Table!.LatestStreamArn!;
  const iterators = new Map<string, string>();
  const startAt = options.fromStart === false ? 'LATEST' : 'TRIM_HORIZON';

  async function next(): Promise<_Record[]> {
    const stream = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: _Record[] = [];
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      let iterator =
        iterators.get(shard.ShardId!) ??
        (await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: startAt }))).ShardIterator;
      for (let pages = 0; iterator && pages < 10_000; pages++) {
        const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        records.push(...(out.Records ?? []));
        iterator = out.NextShardIterator;
        if ((out.Records ?? []).length === 0) break;
      }
      if (iterator) iterators.set(shard.ShardId!, iterator);
    }
    return records;
  }

  return { next, close: () => client.destroy() };
}

export { followGradesStream };
