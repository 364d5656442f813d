import { datesOf, instantOf, type Job } from '../../lib/calendar';
import type { HandlerDependencies } from '../environment';
import { scheduledJobHandler } from '../scheduledJob';

/** One fired schedule and how it went. */
interface FiredRun {
  job: Job;
  scheduledTime: string;
  state: string;
  runId: string;
  counts: { sellers: number; written: number; unchanged: number; quarantined: number; failed: number };
  millis: number;
}

/** The schedules of SPEC §2 that fire on a business date, in the order a day runs them. */
function schedulesOn(date: string): Job[] {
  const [month, day] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const jobs: Job[] = [];
  if (day === 10 && [1, 4, 7, 10].includes(month)) jobs.push('quarterly');
  if (day === 2) jobs.push('monthly');
  jobs.push('daily');
  return jobs;
}

/**
 * Fires every schedule from `from` to `to`, day by day, through the same handler EventBridge
 * Scheduler invokes, with the scheduled time at 03:00 business time (DST-aware).
 */
async function simulate(range: { from: string; to: string }, deps: HandlerDependencies, onRun: (run: FiredRun) => void = () => {}): Promise<FiredRun[]> {
  const handler = scheduledJobHandler(() => deps);
  const fired: FiredRun[] = [];
  for (const date of datesOf({ start: range.from, end: range.to })) {
    for (const job of schedulesOn(date)) {
      const scheduledTime = instantOf(date, 3, deps.policy.timeZone);
      const started = performance.now();
      const out = await handler({ job, scheduledTime }, localContext(job));
      const run: FiredRun = {
        job,
        scheduledTime,
        state: out.state,
        runId: out.runId,
        counts: out.counts as FiredRun['counts'],
        millis: performance.now() - started,
      };
      fired.push(run);
      onRun(run);
    }
  }
  return fired;
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

export { localContext, schedulesOn, simulate };
export type { FiredRun };
