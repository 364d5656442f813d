import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { chunks } from './data/batch';
import type { ShardTask } from './jobs/runJob';

/** Deliveries of a shard message before it moves to the shard dead-letter queue (the queue's redrive policy). */
const SHARD_RECEIVES = 3;

/**
 * Shard messages per worker invocation: 5 pools of ~5,000 sellers fit the 5-minute timeout at the
 * measured 7.8 ms per seller (docs/operations.md, scaling).
 */
const SHARD_BATCH_SIZE = 5;

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

export { SHARD_BATCH_SIZE, SHARD_RECEIVES, sqsDispatcher };
