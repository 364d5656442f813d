import middy from '@middy/core';
import { z } from 'zod';
import { businessDateOf, JOBS, periodOfScheduledTime, periodsDueBy } from '../lib/calendar';
import { RunsRepository, scheduledRunId } from './data/runsRepository';
import { sqsDispatcher } from './dispatch';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { runJob, type RunResult } from './jobs/runJob';
import { logger, logInvocation, parseEvent } from './middleware';
import { publishOverdueRun, publishRunMetrics } from './runMetrics';

/** The EventBridge Scheduler payload: `{ "job": ..., "scheduledTime": "<aws.scheduler.scheduled-time>" }`. */
const scheduledEventSchema = z.object({
  job: z.enum(JOBS),
  scheduledTime: z.iso.datetime({ offset: true }),
});
type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/**
 * Runs the job a schedule fired: the period comes from the scheduled time in business time, never
 * from the clock, so a late or repeated delivery evaluates the same period once (SPEC §2, §8.2).
 */
async function runScheduledJob(event: ScheduledEvent, deps: HandlerDependencies): Promise<RunResult> {
  const timeZone = deps.policy.timeZone;
  const period = periodOfScheduledTime(event.job, event.scheduledTime, timeZone);
  try {
    const result = await runJob(
      {
        job: event.job,
        period,
        trigger: 'schedule',
        requestedBy: 'scheduler',
        reason: `scheduled ${event.job} run`,
        asOf: businessDateOf(event.scheduledTime, timeZone),
        runId: scheduledRunId(event.job, period),
      },
      deps,
    );
    logger.info('scheduled run', { job: event.job, period, state: result.state, counts: result.run.counts });
    if (result.state === 'succeeded') publishRunMetrics(event.job, 'completed');
    if (event.job === 'daily') {
      for (const job of await overdueRuns(businessDateOf(event.scheduledTime, timeZone), deps)) {
        logger.warn('run overdue', { job, period: periodsDueBy(period)[job] });
        publishOverdueRun(job);
      }
    }
    return result;
  } catch (e) {
    publishRunMetrics(event.job, 'failed');
    throw e;
  }
}

const succeededPeriods = new WeakMap<HandlerDependencies['store'], Set<string>>();

/**
 * The monthly and quarterly runs that should have succeeded by this date and did not: the daily
 * job's watch on schedules that fire too rarely for a CloudWatch "no data" alarm (7-day limit).
 */
async function overdueRuns(date: string, deps: HandlerDependencies): Promise<('monthly' | 'quarterly')[]> {
  const due = periodsDueBy(date);
  const runs = new RunsRepository(deps.store);
  const jobs = ['monthly', 'quarterly'] as const;
  // a period once seen succeeded stays so: a container asks the runs table only until it is
  let seen = succeededPeriods.get(deps.store);
  if (!seen) succeededPeriods.set(deps.store, (seen = new Set()));
  const done = await Promise.all(
    jobs.map(async (job) => {
      const key = `${job}#${due[job]}`;
      if (seen.has(key)) return true;
      const succeeded = (await runs.runsOf(job, due[job])).some((r) => r.status === 'succeeded' && !r.dryRun);
      if (succeeded) seen.add(key);
      return succeeded;
    }),
  );
  return jobs.filter((_, i) => !done[i]);
}

/** Wraps the job for Lambda with the given dependencies (the CLI and tests inject theirs). */
function scheduledJobHandler(deps: () => HandlerDependencies) {
  return middy<ScheduledEvent, { state: string; runId: string; counts: unknown }>()
    .use(logInvocation('scheduledJob'))
    .use(parseEvent(scheduledEventSchema))
    .handler(async (event) => {
      const d = deps();
      const queue = process.env.SHARD_QUEUE_URL;
      const result = await runScheduledJob(event, queue ? { ...d, dispatch: sqsDispatcher(queue) } : d);
      return { state: result.state, runId: result.run.runId, counts: result.run.counts };
    });
}

const handler = scheduledJobHandler(defaultDependencies);

export { handler, overdueRuns, runScheduledJob, scheduledEventSchema, scheduledJobHandler };
export type { ScheduledEvent };
