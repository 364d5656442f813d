import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { chunks } from './data/batch';
import type { ShardTask } from './jobs/runJob';

/** Deliveries of a shard message before it moves to the shard dead-letter queue (the queue's redrive policy). */
const SHARD_RECEIVES = 3;

/** Fans shards out to the worker queue (AWS): one message per shard, ten per request. */
function sqsDispatcher(queueUrl: string, client = new SQSClient({})): (tasks: ShardTask[]) => Promise<void> {
  return async (tasks) => {
    for (const batch of chunks(tasks, 10)) {
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((task, i) => ({ Id: String(i), MessageBody: JSON.stringify(task) })),
        }),
      );
      if (out.Failed?.length) throw new Error(`could not enqueue ${out.Failed.length} shard(s): ${out.Failed.map((f) => f.Message).join('; ')}`);
    }
  };
}

export { SHARD_RECEIVES, sqsDispatcher };
