import { datesOf, instantOf, SCHEDULE_HOUR, type Job } from '../../lib/calendar';
import { RunsRepository } from '../data/runsRepository';
import type { HandlerDependencies } from '../environment';
import { scheduledJobHandler } from '../scheduledJob';
import { shardWorkerHandler } from '../shardWorker';
import { claimSpanMs } from '../jobs/invocationFence';
import { storeUntil } from '../data/storeUntil';
import { LOCAL_QUEUE_DEFAULTS, LocalQueue, type LocalQueueOptions } from './localQueue';

/** One fired schedule and how it went. */
interface FiredRun {
  job: Job;
  scheduledTime: string;
  state: string;
  runId: string;
  counts: { sellers: number; written: number; unchanged: number; quarantined: number; failed: number };
  millis: number;
}

/** The schedules of SPEC §2 that fire on a business date, in the order a day runs them (growth at 04:00, after the rest). */
function schedulesOn(date: string): Job[] {
  const [month, day] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const jobs: Job[] = [];
  if (day === 10 && [1, 4, 7, 10].includes(month)) jobs.push('quarterly');
  if (day === 2) jobs.push('monthly');
  jobs.push('daily', 'growth');
  return jobs;
}

/**
 * The shard queue and its worker, locally: the planning handler sends each pool shard as a message,
 * and the real shard-worker handler takes SQS-shaped batches of them, as in AWS.
 */
function localFanOut(deps: HandlerDependencies, options: Partial<LocalQueueOptions> = {}): { deps: HandlerDependencies; queue: LocalQueue } {
  const { visibilityTimeoutMs, invocationTimeoutMs } = { ...LOCAL_QUEUE_DEFAULTS, ...options };
  if (visibilityTimeoutMs <= claimSpanMs(invocationTimeoutMs)) {
    throw new Error(
      `visibilityTimeoutMs (${visibilityTimeoutMs}) must exceed ${claimSpanMs(invocationTimeoutMs)} ms, how long an invocation of ${invocationTimeoutMs} ms holds its shards: a redelivery would find them still claimed`,
    );
  }
  const queue = new LocalQueue(
    'shards',
    (event, deadline) =>
      // past its deadline nothing more of an invocation reaches the tables, as when Lambda stops it
      shardWorkerHandler(() => ({ ...deps, store: storeUntil(deps.store, deadline, 'hang') }))(event, {
        ...localContext('shardWorker'),
        getRemainingTimeInMillis: () => deadline - Date.now(),
      }),
    options,
  );
  return { deps: { ...deps, dispatch: async (tasks) => queue.send(tasks.map((t) => JSON.stringify(t))) }, queue };
}

interface SimulateOptions {
  /** the local shard queue's settings; `false` evaluates every run's shards inline */
  fanOut?: Partial<LocalQueueOptions> | false;
}

/** The jobs of a day that run one after the other: the seller jobs share their records, the growth job has its own. */
const LANES: ((job: Job) => boolean)[] = [(job) => job !== 'growth', (job) => job === 'growth'];

/**
 * Fires every schedule from `from` to `to`, day by day, through the same handler EventBridge
 * Scheduler invokes, with the scheduled time at its hour of business time (DST-aware, SCHEDULE_HOUR). By default each
 * run fans out through the local shard queue, and the next schedule fires once its shards are done.
 * The growth job reads and writes nothing of the seller jobs: its days run beside theirs, each lane
 * with a queue of its own, so that every run is batched as if it ran alone. Runs are returned in
 * the order a day fires them.
 */
async function simulate(
  range: { from: string; to: string },
  baseDeps: HandlerDependencies,
  onRun: (run: FiredRun) => void = () => {},
  options: SimulateOptions = {},
): Promise<{ runs: FiredRun[]; queue: LocalQueue | null }> {
  const dates = datesOf({ start: range.from, end: range.to });
  const fanOuts = LANES.map(() => (options.fanOut === false ? null : localFanOut(baseDeps, options.fanOut)));
  const order = new Map(dates.flatMap((date) => schedulesOn(date).map((job) => `${job}|${date}`)).map((key, i) => [key, i]));
  const fired: { run: FiredRun; at: number }[] = [];
  const lane = async (inLane: (job: Job) => boolean, fanOut: ReturnType<typeof localFanOut> | null) => {
    const deps = fanOut?.deps ?? baseDeps;
    const handler = scheduledJobHandler(() => deps);
    const runs = new RunsRepository(deps.store);
    for (const date of dates) {
      for (const job of schedulesOn(date).filter(inLane)) {
        const scheduledTime = instantOf(date, SCHEDULE_HOUR[job], deps.policy.timeZone);
        const started = performance.now();
        const out = await handler({ job, scheduledTime }, localContext(job));
        let { state, counts } = out as { state: string; counts: FiredRun['counts'] };
        if (state === 'dispatched' && fanOut) {
          await fanOut.queue.drain();
          const period = out.runId.slice(`schedule-${job}-`.length);
          const closed = await runs.get(job, period, out.runId);
          state = closed?.status ?? 'missing';
          counts = closed?.counts ?? counts;
        }
        const run: FiredRun = { job, scheduledTime, state, runId: out.runId, counts, millis: performance.now() - started };
        fired.push({ run, at: order.get(`${job}|${date}`)! });
        onRun(run);
      }
    }
  };
  try {
    // a lane that fails stops only itself: the other is let finish before the store can go away
    const settled = await Promise.allSettled(LANES.map((inLane, i) => lane(inLane, fanOuts[i]!)));
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
  } finally {
    for (const f of fanOuts) f?.queue.close();
  }
  const [queue = null, ...others] = fanOuts.map((f) => f?.queue ?? null);
  for (const other of others) if (queue && other) queue.absorb(other);
  return { runs: fired.sort((a, b) => a.at - b.at).map((f) => f.run), queue };
}

function localContext(name: string) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:local:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `local-${name}`,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export { localContext, localFanOut, schedulesOn, simulate };
export type { FiredRun, SimulateOptions };
