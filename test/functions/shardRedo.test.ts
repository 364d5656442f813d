import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunsRepository } from '../../functions/data/runsRepository';
import { invocationFence } from '../../functions/jobs/invocationFence';
import type { Store } from '../../functions/data/store';
import type { ShardTask } from '../../functions/jobs/runJob';
import { localContext } from '../../functions/local/simulate';
import { runScheduledJob } from '../../functions/scheduledJob';
import { shardWorkerHandler } from '../../functions/shardWorker';
import { instantOf, type Job } from '../../lib/calendar';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, memoryStore, type StreamChange } from '../helpers/localStore';

const m = smallMarket(160, '2026-04-01', '2026-07-10', 17);
const FIRED: [Job, string][] = [
  ['daily', '2026-07-01'],
  ['monthly', '2026-07-02'],
  ['daily', '2026-07-02'],
  ['daily', '2026-07-03'],
  ['quarterly', '2026-07-10'],
  ['daily', '2026-07-10'],
];
let env: Awaited<ReturnType<typeof memoryStore>>;

beforeAll(async () => {
  env = await memoryStore();
  await importMarket(env.store, m);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

function sqsEvent(tasks: ShardTask[], receiveCount: number): SQSEvent {
  return {
    Records: tasks.map((task, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body: JSON.stringify(task),
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:0:shards',
      awsRegion: 'local',
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
    })),
  };
}

/**
 * The store of a worker that dies once its records are written: its first write to the runs table
 * after a write to the grades table (a health state, or a shard's finished marker) fails, as if
 * the worker were stopped there. Later requests go through, so that it gives its claims back.
 */
function diesAfterRecords(store: Store): Store {
  let wroteRecords = false;
  let died = false;
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: { constructor: { name: string }; input: { TableName?: string; RequestItems?: Record<string, unknown> } }) => {
        const tables = command.input.TableName ? [command.input.TableName] : Object.keys(command.input.RequestItems ?? {});
        const writes = /^(Put|BatchWrite)Command$/.test(command.constructor.name);
        if (writes && tables.includes(store.tables.grades)) wroteRecords = true;
        if (writes && wroteRecords && !died && tables.includes(store.tables.runs)) {
          died = true;
          throw new Error('worker stopped after writing its records');
        }
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

/**
 * The store of a worker whose batch writes of records wait for `before` to resolve: held there,
 * they model requests that left the worker and land late (a slow network, a busy server).
 * `sent` resolves at its first such write; `landed()` once every one of them has.
 */
function writesAfter(store: Store, before: () => Promise<void>) {
  let sent!: () => void;
  const first = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const writes: Promise<unknown>[] = [];
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return (command: { constructor: { name: string }; input: { RequestItems?: Record<string, unknown> } }) => {
        if (command.constructor.name !== 'BatchWriteCommand' || !command.input.RequestItems?.[store.tables.grades]) return target.send(command as never);
        sent();
        const write = before().then(() => target.send(command as never));
        writes.push(write);
        return write;
      };
    },
  });
  return { store: { ...store, doc }, sent: first, landed: () => Promise.allSettled(writes) };
}

/** Every record key that reached the stream more than once, and every event that changed nothing. */
function streamFaults(changes: StreamChange[]) {
  const seen = new Map<string, number>();
  for (const c of changes) seen.set(c.key, (seen.get(c.key) ?? 0) + 1);
  return { repeated: [...seen].filter(([, n]) => n > 1).map(([k]) => k), noOps: changes.filter((c) => c.noOp).map((c) => c.key) };
}

describe('a shard redone after a worker that wrote its records and died before its bookkeeping', () => {
  it('publishes each change once: the next delivery finds every record written and writes none again, of any kind', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const kinds = new Set<string>();
    for (const [job, date] of FIRED) {
      const tasks: ShardTask[] = [];
      const planned = await runScheduledJob(
        { job, scheduledTime: instantOf(date, 3, env.deps.policy.timeZone) },
        { ...env.deps, dispatch: async (t) => void tasks.push(...t) },
      );
      expect(planned.state).toBe('dispatched');
      const dying = shardWorkerHandler(() => ({ ...env.deps, store: diesAfterRecords(env.store) }));
      expect((await dying(sqsEvent(tasks, 1), localContext('shards'))).batchItemFailures).toHaveLength(tasks.length);
      const again = await shardWorkerHandler(() => env.deps)(sqsEvent(tasks, 2), localContext('shards'));
      expect(again.batchItemFailures).toEqual([]);
      const run = await new RunsRepository(env.store).get(job, planned.run.period, planned.run.runId);
      expect(run?.status).toBe('succeeded');
      const changes = await stream.drain();
      for (const c of changes) if (c.newRecord) kinds.add(c.newRecord.kind);
      expect(streamFaults(changes), `${job} ${date}`).toEqual({ repeated: [], noOps: [] });
      // what the dead worker wrote counts as written by the run, once
      expect(run?.counts.written, `${job} ${date}`).toBe(changes.length);
    }
    stream.close();
    expect([...kinds].sort()).toEqual(['dailyScore', 'goodSellerGrant', 'healthCheck', 'merchantAssessment', 'operationTier', 'serviceLevel', 'status']);
  }, 300_000);
});

describe('a shard delivered again just as its first invocation times out, its writes still in flight', () => {
  it('is not taken over before those writes have landed: the second delivery writes no equal record again', async () => {
    const stream = await gradesStream(env.store, env.embedded.endpoint);
    await stream.drain();
    const tasks: ShardTask[] = [];
    const planned = await runScheduledJob(
      { job: 'daily', scheduledTime: instantOf('2026-07-09', 3, env.deps.policy.timeZone) },
      { ...env.deps, dispatch: async (t) => void tasks.push(...t) },
    );
    expect(planned.state).toBe('dispatched');
    let land!: () => void;
    const landing = new Promise<void>((resolve) => {
      land = resolve;
    });
    const slow = writesAfter(env.store, () => landing);
    const budgetMs = 4000;
    const deadline = Date.now() + budgetMs;
    const first = shardWorkerHandler(() => ({ ...env.deps, store: slow.store }))(sqsEvent(tasks, 1), {
      ...localContext('shards'),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    await Promise.race([slow.sent, first.then(() => Promise.reject(new Error('the first invocation ended before it wrote a record')))]);
    await new Promise((r) => setTimeout(r, deadline + 100 - Date.now()));
    // the duplicate message: its invocation reads the records, and the first one's writes land just before it writes its own
    const racing = writesAfter(env.store, async () => {
      land();
      await slow.landed();
    });
    await shardWorkerHandler(() => ({ ...env.deps, store: racing.store }))(sqsEvent(tasks, 1), localContext('shards'));
    land();
    // middy ends the first invocation at its deadline, as Lambda does; its code runs on here
    await first.catch(() => {});
    await slow.landed();
    // once the first invocation's claims lapse, a later delivery finishes what is left
    await new Promise((r) => setTimeout(r, Math.max(0, invocationFence(deadline - budgetMs, budgetMs).claimUntil + 100 - Date.now())));
    const third = await shardWorkerHandler(() => env.deps)(sqsEvent(tasks, 2), localContext('shards'));
    expect(third.batchItemFailures).toEqual([]);
    expect((await new RunsRepository(env.store).get('daily', '2026-07-09', planned.run.runId))?.status).toBe('succeeded');
    const changes = await stream.drain();
    expect(changes.length).toBeGreaterThan(0);
    expect(streamFaults(changes)).toEqual({ repeated: [], noOps: [] });
    stream.close();
  }, 120_000);
});
