import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { runShard } from './jobs/runJob';
import { logger, logInvocation } from './middleware';
import { publishRunMetrics } from './runMetrics';

const shardTaskSchema = z.object({
  runId: z.string().min(1),
  job: z.enum(['daily', 'monthly', 'quarterly']),
  period: z.string().min(1),
  shardId: z.string().min(1),
});

/** A message body as JSON, or `undefined` when it is not JSON (the schema then refuses it). */
function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Evaluates the shards of an SQS batch; a failed shard goes back to the queue (and to the DLQ after retries). */
function shardWorkerHandler(deps: () => HandlerDependencies) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(logInvocation('shardWorker'))
    .handler(async (event) => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const message of event.Records) {
        const parsed = shardTaskSchema.safeParse(parseBody(message.body));
        if (!parsed.success) {
          // a malformed message never succeeds: report it as this item's failure, and the DLQ keeps it
          logger.error('malformed shard message', { messageId: message.messageId, issues: parsed.error.issues });
          failures.push({ itemIdentifier: message.messageId });
          continue;
        }
        try {
          const outcome = await runShard(parsed.data, deps());
          logger.info('shard finished', { ...parsed.data, counts: outcome.counts, runFinished: outcome.runFinished });
          if (outcome.runFinished) publishRunMetrics(parsed.data.job, 'completed');
        } catch (e) {
          logger.error('shard failed', { ...parsed.data, error: (e as Error).message });
          if (Number(message.attributes.ApproximateReceiveCount) >= 3) publishRunMetrics(parsed.data.job, 'failed');
          failures.push({ itemIdentifier: message.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
}

const handler = shardWorkerHandler(defaultDependencies);

export { handler, shardTaskSchema, shardWorkerHandler };
