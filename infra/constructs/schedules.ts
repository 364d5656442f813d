import { Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Job } from '../../lib/calendar';
import { deadLetterQueue } from './jobs';

/** SPEC §2: each job at 03:00 business time, `growth` at 04:00; the scheduler handles daylight saving. */
const JOB_SCHEDULES: { job: Job; expression: string; description: string }[] = [
  { job: 'daily', expression: 'cron(0 3 * * ? *)', description: 'Daily scores, projected tiers, Good Seller expiries, status (SPEC §2)' },
  { job: 'monthly', expression: 'cron(0 3 2 * ? *)', description: 'Operation tier and service level for the month (SPEC §6, §7.1)' },
  { job: 'quarterly', expression: 'cron(0 3 10 1,4,7,10 ? *)', description: 'Merchant tier for the previous quarter (SPEC §7.2)' },
  { job: 'growth', expression: 'cron(0 4 * * ? *)', description: "Product growth centre: every listing's stage, suggestions, incentives (SPEC §7.6)" },
];
const BUSINESS_TIME_ZONE = TimeZone.AMERICA_LOS_ANGELES;
/** Scheduler's retries when Lambda refuses the invocation (throttling, service errors). */
const SCHEDULE_RETRY_ATTEMPTS = 4;
// A late delivery still evaluates the scheduled period (SPEC §2), so late beats never.
const SCHEDULE_MAX_EVENT_AGE = Duration.hours(6);

interface GraderSchedulesProps {
  /** the function that plans a run from {"job", "scheduledTime"} */
  scheduledJob: lambda.IFunction;
}

/** The EventBridge Scheduler schedules of the jobs, with retries and a dead-letter queue. */
class GraderSchedules extends Construct {
  readonly deadLetters: sqs.Queue;
  readonly schedules: Record<Job, Schedule>;

  constructor(scope: Construct, id: string, props: GraderSchedulesProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: EventBridge Scheduler puts here the job invocations it could not deliver. An operator reads it and re-runs the job; a queue behind it would have no consumer.',
    });

    this.schedules = Object.fromEntries(
      JOB_SCHEDULES.map(({ job, expression, description }) => [
        job,
        new Schedule(this, job, {
          description,
          schedule: ScheduleExpression.expression(expression, BUSINESS_TIME_ZONE),
          target: new InvokeJob(props.scheduledJob, {
            input: ScheduleTargetInput.fromObject({ job, scheduledTime: ContextAttribute.scheduledTime }),
            retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
            maxEventAge: SCHEDULE_MAX_EVENT_AGE,
            deadLetterQueue: this.deadLetters,
          }),
        }),
      ]),
    ) as Record<Job, Schedule>;
  }
}

/**
 * Invokes the job function. Unlike LambdaInvoke, whose grantInvoke also allows `<arn>:*`
 * (every version and alias), it grants lambda:InvokeFunction on the function's ARN only.
 */
class InvokeJob extends ScheduleTargetBase {
  private readonly fn: lambda.IFunction;

  constructor(fn: lambda.IFunction, props: ScheduleTargetBaseProps) {
    super(props, fn.functionArn);
    this.fn = fn;
  }

  protected addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}

export { BUSINESS_TIME_ZONE, GraderSchedules, JOB_SCHEDULES, SCHEDULE_MAX_EVENT_AGE, SCHEDULE_RETRY_ATTEMPTS };
export type { GraderSchedulesProps };
