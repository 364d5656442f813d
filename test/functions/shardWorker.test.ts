import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunsRepository, scheduledRunId } from '../../functions/data/runsRepository';
import { runJob, type ShardTask } from '../../functions/jobs/runJob';
import { localContext } from '../../functions/local/simulate';
import { runScheduledJob } from '../../functions/scheduledJob';
import { shardWorkerHandler } from '../../functions/shardWorker';
import { beforeBatchWrites } from '../helpers/faultyStore';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { memoryStore } from '../helpers/localStore';

const m = smallMarket(80, '2026-03-01', '2026-07-31', 21);
let env: Awaited<ReturnType<typeof memoryStore>>;
const worker = () => shardWorkerHandler(() => env.deps);

/** An SQS-shaped event, as Lambda's event source mapping delivers it. */
function sqsEvent(bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:0:shards',
      awsRegion: 'local',
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
    })),
  };
}

beforeAll(async () => {
  env = await memoryStore();
  await importMarket(env.store, m);
});

afterAll(async () => {
  await env?.stop();
});

describe('the shard worker', () => {
  it("reports a message that is not JSON, or not a shard, as that item's failure and runs the others", async () => {
    const tasks: ShardTask[] = [];
    const planned = await runScheduledJob(
      { job: 'monthly', scheduledTime: '2026-07-02T10:00:00Z' },
      { ...env.deps, dispatch: async (t) => void tasks.push(...t) },
    );
    expect(planned.state).toBe('dispatched');
    expect(tasks.length).toBeGreaterThan(1);
    const bodies = [...tasks.map((t) => JSON.stringify(t)), 'not json', '{"runId": 1}'];
    const response = await worker()(sqsEvent(bodies), localContext('shards'));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: `m-${tasks.length}` }, { itemIdentifier: `m-${tasks.length + 1}` }]);
    const run = await new RunsRepository(env.store).get('monthly', '2026-07', scheduledRunId('monthly', '2026-07'));
    expect(run).toMatchObject({ status: 'succeeded', shards: tasks.length });
    expect(run!.counts.sellers).toBe(m.market.sellers.length);
  });

  it('runs a shard delivered twice once: the second delivery finds it finished', async () => {
    const tasks: ShardTask[] = [];
    await runScheduledJob({ job: 'quarterly', scheduledTime: '2026-07-10T10:00:00Z' }, { ...env.deps, dispatch: async (t) => void tasks.push(...t) });
    const first = await worker()(sqsEvent(tasks.map((t) => JSON.stringify(t))), localContext('shards'));
    const again = await worker()(sqsEvent([JSON.stringify(tasks[0])], 2), localContext('shards'));
    expect([first.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    const run = await new RunsRepository(env.store).get('quarterly', '2026-Q2', scheduledRunId('quarterly', '2026-Q2'));
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run!.counts.written).toBe(m.market.sellers.length);
  });

  it('ends the run failed, naming the shard, when a shard fails its last delivery, and gives the period back', async () => {
    const tasks: ShardTask[] = [];
    await runScheduledJob({ job: 'monthly', scheduledTime: '2026-06-02T10:00:00Z' }, { ...env.deps, dispatch: async (t) => void tasks.push(...t) });
    const broken = beforeBatchWrites(env.store, () => {
      throw new Error('disk full');
    });
    const failing = shardWorkerHandler(() => ({ ...env.deps, store: broken }));
    const early = await failing(sqsEvent([JSON.stringify(tasks[0])], 1), localContext('shards'));
    expect(early.batchItemFailures).toHaveLength(1);
    const runs = new RunsRepository(env.store);
    expect((await runs.get('monthly', '2026-06', scheduledRunId('monthly', '2026-06')))?.status).toBe('running');
    const last = await failing(sqsEvent([JSON.stringify(tasks[0])], 3), localContext('shards'));
    expect(last.batchItemFailures).toHaveLength(1);
    const run = await runs.get('monthly', '2026-06', scheduledRunId('monthly', '2026-06'));
    expect(run?.status).toBe('failed');
    expect(run?.error).toContain(`shard ${tasks[0]!.shardId} failed 3 deliveries: disk full`);
    // the period's lock is free: a re-run by hand starts at once and finishes the period
    const byHand = await runJob(
      { job: 'monthly', period: '2026-06', trigger: 'operator', requestedBy: 'tester', reason: 'after the fix', asOf: '2026-07-01', runId: 'by-hand-2026-06' },
      { ...env.deps, leaseSeconds: 0.2 },
    );
    expect(byHand.state).toBe('succeeded');
  });
});
