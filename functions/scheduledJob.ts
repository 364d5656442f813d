import middy from '@middy/core';
import { z } from 'zod';
import { businessDateOf, periodOfScheduledTime } from '../lib/calendar';
import { sqsDispatcher } from './dispatch';
import { defaultDependencies, type HandlerDependencies } from './environment';
import { runJob, type RunResult } from './jobs/runJob';
import { logger, logInvocation, parseEvent } from './middleware';
import { publishRunMetrics } from './runMetrics';

/** The EventBridge Scheduler payload: `{ "job": ..., "scheduledTime": "<aws.scheduler.scheduled-time>" }`. */
const scheduledEventSchema = z.object({
  job: z.enum(['daily', 'monthly', 'quarterly']),
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
    const result = await runJob({
      job: event.job, period, trigger: 'schedule', requestedBy: 'scheduler', reason: `scheduled ${event.job} run`,
      asOf: businessDateOf(event.scheduledTime, timeZone), runId: `schedule-${event.job}-${period}`,
    }, deps);
    logger.info('scheduled run', { job: event.job, period, state: result.state, counts: result.run.counts });
    if (result.state === 'succeeded') publishRunMetrics(event.job, 'completed');
    return result;
  } catch (e) {
    publishRunMetrics(event.job, 'failed');
    throw e;
  }
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

export { handler, runScheduledJob, scheduledEventSchema, scheduledJobHandler };
export type { ScheduledEvent };
