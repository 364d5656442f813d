import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordsOfGradeItem } from '../../functions/data/gradeStream';
import { gradeSortKey, serialize } from '../../functions/data/gradesRepository';
import { scanAll } from '../../functions/data/query';
import { RunsRepository, scheduledRunId } from '../../functions/data/runsRepository';
import { sqsDispatcher } from '../../functions/dispatch';
import type { Store } from '../../functions/data/store';
import { storeUntil } from '../../functions/data/storeUntil';
import type { HandlerDependencies } from '../../functions/environment';
import { claimSpanMs } from '../../functions/jobs/invocationFence';
import type { ShardTask } from '../../functions/jobs/runJob';
import { LocalQueue } from '../../functions/local/localQueue';
import { localContext } from '../../functions/local/simulate';
import { scheduledJobHandler } from '../../functions/scheduledJob';
import { shardWorkerHandler } from '../../functions/shardWorker';
import { instantOf, type Job } from '../../lib/calendar';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, memoryStore, type StreamChange } from '../helpers/localStore';

const m = smallMarket(240, '2026-04-01', '2026-07-10', 5);
/** The schedules fired, in order: days around a month's and a quarter's runs. */
const FIRED: [Job, string][] = [
  ['daily', '2026-07-01'],
  ['monthly', '2026-07-02'],
  ['daily', '2026-07-02'],
  ['daily', '2026-07-03'],
  ['quarterly', '2026-07-10'],
  ['daily', '2026-07-10'],
];
const SEED = 20261201;
/** a worker's time limit, and what its last request is given to land: the store is in memory */
const TIMEOUT_MS = 1_500;
const SETTLE_MS = 300;

let clean: Awaited<ReturnType<typeof memoryStore>>;
let faulty: Awaited<ReturnType<typeof memoryStore>>;

beforeAll(async () => {
  [clean, faulty] = await Promise.all([memoryStore(), memoryStore()]);
  await Promise.all([importMarket(clean.store, m), importMarket(faulty.store, m)]);
}, 180_000);

afterAll(async () => {
  await Promise.all([clean?.stop(), faulty?.stop()]);
});

/** A small seeded generator (mulberry32): the same faults on every run of the test. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Faults {
  kills: number;
  throttles: number;
  unprocessed: number;
}

/**
 * One worker invocation's view of the store, with its fate: killed at its k-th request (every later
 * request hangs, as if the process were gone — the queue times the invocation out), throttled past
 * the SDK's retries at its k-th request, or healthy; batch writes hand back unprocessed items now and then.
 */
function fatedStore(store: Store, rand: () => number, faults: Faults, fate: 'kill' | 'throttle' | 'healthy'): Store {
  const at = 1 + Math.floor(rand() * 20);
  let requests = 0;
  let dead = false;
  const doc = new Proxy(store.doc, {
    get(target, name, receiver) {
      if (name !== 'send') return Reflect.get(target, name, receiver);
      return async (command: unknown) => {
        if (dead) return new Promise(() => {});
        requests++;
        if (requests === at && fate === 'kill') {
          dead = true;
          faults.kills++;
          // killed either before its request left or after, with the answer lost
          if (rand() < 0.5) await target.send(command as never).catch(() => {});
          return new Promise(() => {});
        }
        if (requests === at && fate === 'throttle') {
          faults.throttles++;
          throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
        }
        if (command instanceof BatchWriteCommand && rand() < 0.3) {
          const [table, items] = Object.entries(command.input.RequestItems!)[0]!;
          if (items.length > 1) {
            faults.unprocessed++;
            const half = items.slice(0, Math.floor(items.length / 2));
            await target.send(new BatchWriteCommand({ RequestItems: { [table]: half } }));
            return { UnprocessedItems: { [table]: items.slice(half.length) } };
          }
        }
        return target.send(command as never);
      };
    },
  });
  return { ...store, doc };
}

/** Every record in a grades table, by key, as its content hash (runIds aside). */
async function gradesOf(store: Store): Promise<Map<string, string>> {
  const items = await scanAll(store.doc, { TableName: store.tables.grades });
  const out = new Map<string, string>();
  for (const item of items) for (const r of recordsOfGradeItem(item)) out.set(`${r.sellerId}|${gradeSortKey(r)}`, serialize(r).hash);
  return new Map([...out].sort());
}

async function fire(handler: ReturnType<typeof scheduledJobHandler>, job: Job, date: string, deps: HandlerDependencies) {
  return handler({ job, scheduledTime: instantOf(date, 3, deps.policy.timeZone) }, localContext(job));
}

describe('the fan-out path under faults', () => {
  it('ends with the tables of a clean inline run: workers killed at 20+ points, duplicates, shuffled order, a poison message, throttling, unprocessed items', async () => {
    const cleanCounts: unknown[] = [];
    const cleanHandler = scheduledJobHandler(() => clean.deps);
    for (const [job, date] of FIRED) cleanCounts.push((await fire(cleanHandler, job, date, clean.deps)).counts);

    const rand = random(SEED);
    const faults: Faults = { kills: 0, throttles: 0, unprocessed: 0 };
    // room for a slow delivery on a busy machine beside the faults, which hit only the first two
    const maxReceiveCount = 6;
    const queue = new LocalQueue(
      'shards',
      (event: SQSEvent, deadline: number) => {
        // faults only on early deliveries, so that no healthy shard runs out of receives
        const early = event.Records.every((r) => Number(r.attributes.ApproximateReceiveCount) <= 2);
        const roll = rand();
        const fate = !early ? 'healthy' : roll < 0.6 ? 'kill' : roll < 0.75 ? 'throttle' : 'healthy';
        // past its deadline an invocation reaches the tables no more, as when Lambda stops it
        const deps = { ...faulty.deps, settleMs: SETTLE_MS, store: fatedStore(storeUntil(faulty.store, deadline, 'hang'), rand, faults, fate) };
        return shardWorkerHandler(() => deps)(event, { ...localContext('shardWorker'), getRemainingTimeInMillis: () => deadline - Date.now() });
      },
      // a redelivery comes once a timed-out invocation's claims have lapsed, as in infra/ (six timeouts)
      { batchSize: 2, concurrency: 3, maxReceiveCount, invocationTimeoutMs: TIMEOUT_MS, visibilityTimeoutMs: claimSpanMs(TIMEOUT_MS, SETTLE_MS) + 200 },
    );
    // every shard sent twice, in shuffled order; and one message that is not a shard at all
    const dispatch = async (tasks: ShardTask[]) => {
      const bodies = [...tasks, ...tasks].map((t) => JSON.stringify(t));
      for (let i = bodies.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [bodies[i], bodies[j]] = [bodies[j]!, bodies[i]!];
      }
      queue.send(bodies);
    };
    const deps: HandlerDependencies = { ...faulty.deps, dispatch };
    const stream = await gradesStream(faulty.store, faulty.embedded.endpoint);
    await stream.drain();
    queue.send(['{"poison": true']);
    const events: StreamChange[] = [];
    const counts: unknown[] = [];
    for (const [job, date] of FIRED) {
      const planned = await fire(
        scheduledJobHandler(() => deps),
        job,
        date,
        deps,
      );
      expect(planned.state).toBe('dispatched');
      await queue.drain();
      const run = await new RunsRepository(faulty.store).get(job, planned.runId.slice(`schedule-${job}-`.length), planned.runId);
      expect(run?.status, `${job} ${date}`).toBe('succeeded');
      counts.push(run?.counts);
      const changes = await stream.drain();
      // within a run, each record of every kind changes at most once
      const keys = changes.map((c) => c.key);
      const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
      expect(
        changes.filter((c) => twice.includes(c.key)).map((c) => JSON.stringify([c.eventName, c.oldRecord, c.newRecord]).slice(0, 3000)),
        `${job} ${date}: a record reached the stream twice`,
      ).toEqual([]);
      events.push(...changes);
    }
    stream.close();

    expect(faults.kills).toBeGreaterThanOrEqual(20);
    expect(faults.throttles).toBeGreaterThan(0);
    expect(faults.unprocessed).toBeGreaterThan(0);
    expect(events.filter((e) => e.noOp)).toEqual([]);
    // the checks above met every kind a run writes
    expect([...new Set(events.flatMap((e) => e.newRecord?.kind ?? e.oldRecord?.kind ?? []))].sort()).toEqual([
      'dailyScore',
      'goodSellerGrant',
      'healthCheck',
      'merchantAssessment',
      'operationTier',
      'serviceLevel',
      'status',
    ]);
    // a run's counts take in what its dead workers wrote, once: those of a clean run
    expect(counts).toEqual(cleanCounts);
    expect(queue.deadLetters.map((d) => d.body)).toEqual(['{"poison": true']);
    expect(queue.stats.deadLettered).toBe(1);
    expect(queue.stats.redeliveries).toBeGreaterThan(0);
    expect((await new RunsRepository(faulty.store).list()).filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(await gradesOf(faulty.store)).toEqual(await gradesOf(clean.store));
  }, 300_000);
});

describe('a planner whose sending of shards fails part-way', () => {
  it('leaves the run running under the shards that went out, and its next delivery sends the rest: the tables, counts and stream of a clean run', async () => {
    const [job, date] = ['daily', '2026-07-05'] as const;
    const cleanRun = await fire(
      scheduledJobHandler(() => clean.deps),
      job,
      date,
      clean.deps,
    );
    // short leases: the next delivery takes the run over soon after the workers of the sent shards stop
    const base = { ...faulty.deps, leaseSeconds: 3 };
    const queue = new LocalQueue('shards', (event: SQSEvent, deadline: number) =>
      shardWorkerHandler(() => ({ ...base, store: storeUntil(faulty.store, deadline, 'hang') }))(event, {
        ...localContext('shardWorker'),
        getRemainingTimeInMillis: () => deadline - Date.now(),
      }),
    );
    // SQS takes the first two messages of the first batch and refuses the rest, as SendMessageBatch can
    let batches = 0;
    const sqs = {
      send: async (command: SendMessageBatchCommand) => {
        const entries = command.input.Entries ?? [];
        const taken = ++batches === 1 ? entries.slice(0, 2) : entries;
        queue.send(taken.map((e) => e.MessageBody!));
        const failed = entries.slice(taken.length).map((e) => ({ Id: e.Id!, SenderFault: false, Code: 'InternalError', Message: 'service unavailable' }));
        return { Successful: taken.map((e) => ({ Id: e.Id!, MessageId: e.Id!, MD5OfMessageBody: '' })), Failed: failed };
      },
    } as unknown as SQSClient;
    const deps: HandlerDependencies = { ...base, dispatch: sqsDispatcher('local-shards', sqs) };
    const stream = await gradesStream(faulty.store, faulty.embedded.endpoint);
    await stream.drain();
    const runs = new RunsRepository(faulty.store);
    const runId = scheduledRunId(job, date);

    await expect(
      fire(
        scheduledJobHandler(() => deps),
        job,
        date,
        deps,
      ),
    ).rejects.toThrow(/sending its shards failed part-way .*could not enqueue/);
    // the shards that went out are evaluated for a live run: it is never ended failed under them
    const left = await runs.get(job, date, runId);
    expect(left).toMatchObject({ status: 'running', attempts: 1 });
    expect(left?.error).toMatch(/could not enqueue \d+ shard/);
    await queue.drain();
    expect((await runs.get(job, date, runId))?.status).toBe('running');
    expect(queue.stats.sent).toBe(2);

    const again = await fire(
      scheduledJobHandler(() => deps),
      job,
      date,
      deps,
    );
    expect(again.state).toBe('dispatched');
    await queue.drain();
    const run = await runs.get(job, date, runId);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    expect(run?.counts).toEqual(cleanRun.counts);
    const changes = await stream.drain();
    const keys = changes.map((c) => c.key);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    expect(changes.filter((c) => c.noOp)).toEqual([]);
    stream.close();
    queue.close();
    expect(await gradesOf(faulty.store)).toEqual(await gradesOf(clean.store));
  }, 300_000);
});
