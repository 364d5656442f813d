import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../functions/data/client';
import { openStore, type Store } from '../../functions/data/store';
import type { HandlerDependencies } from '../../functions/environment';
import { startEmbeddedStore, type EmbeddedStore } from '../../functions/local/embeddedStore';
import { DEFAULT_POLICY } from '../../lib/policy';
import { gradeRecordSchema, type GradeRecord } from '../../lib/records';

/** A fresh in-memory DynamoDB Local with the product's tables, for one test file. */
async function localStore(): Promise<{ store: Store; embedded: EmbeddedStore; deps: HandlerDependencies; stop: () => Promise<void> }> {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  const deps: HandlerDependencies = { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
  return { store, embedded, deps, stop: async () => { store.client.destroy(); await embedded.stop(); } };
}

interface StreamChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  key: string;
  oldRecord: GradeRecord | null;
  newRecord: GradeRecord | null;
}

/** Reads the grades table's stream over HTTP, as a consumer would: `drain()` returns the changes since the last drain. */
async function gradesStream(store: Store, endpoint: string) {
  const client = new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const table = await store.client.send(new DescribeTableCommand({ TableName: store.tables.grades }));
  const streamArn = table.Table!.LatestStreamArn!;
  const iterators = new Map<string, string>();
  const imageRecord = (image: Record<string, unknown> | undefined) =>
    image ? gradeRecordSchema.parse(JSON.parse(String((unmarshall(image as never) as { record: string }).record))) : null;

  async function drain(): Promise<StreamChange[]> {
    const stream = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const changes: StreamChange[] = [];
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      let iterator = iterators.get(shard.ShardId!) ?? (await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      for (let pages = 0; iterator && pages < 10_000; pages++) {
        const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const r of out.Records ?? []) changes.push(change(r));
        iterator = out.NextShardIterator;
        if ((out.Records ?? []).length === 0) break;
      }
      if (iterator) iterators.set(shard.ShardId!, iterator);
    }
    return changes;
  }

  function change(r: _Record): StreamChange {
    const keys = unmarshall((r.dynamodb?.Keys ?? {}) as never) as { sellerId: string; sk: string };
    return {
      eventName: r.eventName as StreamChange['eventName'],
      key: `${keys.sellerId}|${keys.sk}`,
      oldRecord: imageRecord(r.dynamodb?.OldImage as Record<string, unknown> | undefined),
      newRecord: imageRecord(r.dynamodb?.NewImage as Record<string, unknown> | undefined),
    };
  }

  return { drain, close: () => client.destroy() };
}

export { gradesStream, localStore };
export type { StreamChange };
