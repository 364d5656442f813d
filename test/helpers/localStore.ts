import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../functions/data/client';
import { openStore, type Store } from '../../functions/data/store';
import type { HandlerDependencies } from '../../functions/environment';
import { startEmbeddedStore, type EmbeddedStore } from '../../functions/local/embeddedStore';
import { DEFAULT_POLICY } from '../../lib/policy';
import { recordChanges } from '../../functions/data/gradeStream';
import type { GradeRecord } from '../../lib/records';

/** A fresh in-memory DynamoDB Local with the product's tables, for one test file. */
async function localStore(): Promise<{ store: Store; embedded: EmbeddedStore; deps: HandlerDependencies; stop: () => Promise<void> }> {
  const embedded = await startEmbeddedStore();
  const store = openStore({ endpoint: embedded.endpoint, env: {} });
  const deps: HandlerDependencies = { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString() };
  return {
    store,
    embedded,
    deps,
    stop: async () => {
      store.client.destroy();
      await embedded.stop();
    },
  };
}

interface StreamChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  key: string;
  oldRecord: GradeRecord | null;
  newRecord: GradeRecord | null;
  /** the event changed no record (a rewrite of equal content) */
  noOp?: true;
}

/** Reads the grades table's stream over HTTP, as a consumer would: `drain()` returns the changes since the last drain. */
async function gradesStream(store: Store, endpoint: string) {
  const client = new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const table = await store.client.send(new DescribeTableCommand({ TableName: store.tables.grades }));
  const streamArn = table.Table!.LatestStreamArn!;
  const iterators = new Map<string, string>();
  const image = (i: unknown) => (i ? (unmarshall(i as never) as Record<string, unknown>) : undefined);

  async function drain(): Promise<StreamChange[]> {
    const stream = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const changes: StreamChange[] = [];
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      let iterator =
        iterators.get(shard.ShardId!) ??
        (await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      for (let pages = 0; iterator && pages < 10_000; pages++) {
        const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const r of out.Records ?? []) changes.push(...change(r));
        iterator = out.NextShardIterator;
        if ((out.Records ?? []).length === 0) break;
      }
      if (iterator) iterators.set(shard.ShardId!, iterator);
    }
    return changes;
  }

  /** A stream record as record-level changes: a daily-score pack yields one change per seller whose score changed. */
  function change(r: _Record): StreamChange[] {
    const eventName = r.eventName as StreamChange['eventName'];
    const changes = recordChanges(image(r.dynamodb?.OldImage), image(r.dynamodb?.NewImage)).map((c) => ({ eventName, ...c }));
    if (changes.length > 0) return changes;
    // an event that changed no record: consumers would see it, so tests must too
    const keys = unmarshall(r.dynamodb?.Keys as never) as Record<string, unknown>;
    return [{ eventName, key: `${String(keys.sellerId)}|${String(keys.sk)}`, oldRecord: null, newRecord: null, noOp: true }];
  }

  return { drain, close: () => client.destroy() };
}

export { gradesStream, localStore };
export type { StreamChange };
