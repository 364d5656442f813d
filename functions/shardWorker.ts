import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { JOBS } from '../lib/calendar';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { SHARD_RECEIVES } from './dispatch';
import { storeUntil } from './data/storeUntil';
import { invocationFence } from './jobs/invocationFence';
import { failRunOfShards, runShards, type ShardTask } from './jobs/runJob';
import { logger, logInvocation } from './middleware';
import { publishRunMetrics } from './runMetrics';

const shardTaskSchema = z.object({
  runId: z.string().min(1),
  job: z.enum(JOBS),
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

/**
 * Evaluates the shards of an SQS batch, each run's shards together (full write batches, one read
 * of the run's data); a failed shard goes back to the queue, and to the DLQ after retries.
 */
function shardWorkerHandler(deps: () => HandlerDependencies) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(logInvocation('shardWorker'))
    .handler(async (event, context) => {
      // a killed worker's claims lapse once its last writes have landed; it sends none near its end
      const fence = invocationFence(Date.now(), context.getRemainingTimeInMillis(), deps().settleMs);
      const invocation = { id: randomUUID(), claimUntil: new Date(fence.claimUntil).toISOString() };
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      const byRun = new Map<string, { task: ShardTask; message: SQSRecord }[]>();
      for (const message of event.Records) {
        const parsed = shardTaskSchema.safeParse(parseBody(message.body));
        if (!parsed.success) {
          // a malformed message never succeeds: report it as this item's failure, and the DLQ keeps it
          logger.error('malformed shard message', { messageId: message.messageId, issues: parsed.error.issues });
          failures.push({ itemIdentifier: message.messageId });
          continue;
        }
        const key = `${parsed.data.job}#${parsed.data.period}#${parsed.data.runId}`;
        byRun.set(key, [...(byRun.get(key) ?? []), { task: parsed.data, message }]);
      }
      for (const items of byRun.values()) {
        const { job, period, runId } = items[0]!.task;
        const shardIds = items.map((i) => i.task.shardId);
        try {
          const d = deps();
          const outcome = await runShards(
            items.map((i) => i.task),
            { ...d, store: storeUntil(d.store, fence.stopAt, 'refuse') },
            invocation,
          );
          // a shard another invocation holds comes back after the visibility timeout and finds it finished
          const retry = new Set([...outcome.unknown, ...outcome.busy]);
          for (const i of items) if (retry.has(i.task.shardId)) failures.push({ itemIdentifier: i.message.messageId });
          if (outcome.unknown.length > 0) logger.error('shards not part of their run', { job, period, runId, shards: outcome.unknown });
          if (outcome.busy.length > 0) logger.info('shards held by another invocation', { job, period, runId, shards: outcome.busy });
          logger.info('shards finished', { job, period, runId, shards: shardIds, counts: outcome.counts, runFinished: outcome.runFinished });
          if (outcome.runFinished) publishRunMetrics(job, 'completed');
        } catch (e) {
          logger.error('shards failed', { job, period, runId, shards: shardIds, error: (e as Error).message });
          const last = items.filter((i) => Number(i.message.attributes.ApproximateReceiveCount) >= SHARD_RECEIVES);
          if (last.length > 0) {
            // these messages go to the dead-letter queue now: the run cannot finish, and says why
            const error = `shard ${last.map((i) => i.task.shardId).join(', ')} failed ${SHARD_RECEIVES} deliveries: ${(e as Error).message}`;
            await failRunOfShards(items[0]!.task, error, deps()).catch((f: unknown) =>
              logger.error('could not mark the run failed', { runId, error: String(f) }),
            );
            publishRunMetrics(job, 'failed');
          }
          for (const i of items) failures.push({ itemIdentifier: i.message.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
}

const handler = shardWorkerHandler(defaultDependencies);

export { handler, shardTaskSchema, shardWorkerHandler };
