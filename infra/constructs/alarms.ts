import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAME } from './function';
import type { Job } from '../../lib/calendar';

/** The namespace of the run metrics that functions/ publishes in CloudWatch embedded metric format. */
const RUN_METRICS_NAMESPACE = 'SellerGrader';
const FIVE_MINUTES = Duration.minutes(5);
/**
 * Hours without a completed daily run before its alarm fires: one day, plus one for the 25-hour
 * day when daylight saving ends, plus two for a slow run.
 */
const DAILY_COMPLETION_WINDOW_HOURS = 28;

interface GraderAlarmsProps {
  /** every function, by a readable name */
  functions: Record<string, lambda.IFunction>;
  /** every queue that holds failures, by a readable name */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** queues whose oldest message should be minutes old, by a readable name */
  backlogs?: Record<string, sqs.IQueue>;
  jobs: Job[];
  /** an address subscribed to the alarm topic, if given */
  email?: string;
}

/** Alarms on errors, dead letters and runs, all notifying one SNS topic. */
class GraderAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: GraderAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'seller-grader alarms', enforceSSL: true });
    // A topic policy replaces SNS's default one, so CloudWatch needs its own allow to publish.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        alarmDescription: `${name} threw an error (Lambda Errors >= 1 in 5 minutes). See its log group; docs/operations.md#runbook.`,
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}Depth`, {
        alarmDescription: `${name} holds messages: something failed every attempt. Inspect and redrive; docs/operations.md#runbook.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const [name, queue] of Object.entries(props.backlogs ?? {})) {
      this.add(`${name}Backlog`, {
        alarmDescription: `${name} has held a message for over an hour: its consumer is failing or too slow, and grades miss the newest data. docs/operations.md#runbook.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 3600,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const job of props.jobs) {
      this.add(`${job}RunFailed`, {
        alarmDescription: `A ${job} run ended as failed (SellerGrader RunsFailed >= 1). Check the runs table and re-run; docs/operations.md#runbook.`,
        metric: runMetric('RunsFailed', job, FIVE_MINUTES),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // Monthly and quarterly runs fire too rarely for a "no data" alarm (7-day limit): the daily job
    // publishes RunsOverdue when the period due by then has no successful run.
    for (const job of ['monthly', 'quarterly'] as const) {
      this.add(`${job}RunOverdue`, {
        alarmDescription: `The ${job} period due by now has no successful run (SellerGrader RunsOverdue, published by the daily job). Run it by hand; docs/operations.md#runbook.`,
        metric: runMetric('RunsOverdue', job, Duration.hours(1)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // Hourly periods, all of them breaching: "no completion in the last N hours", for each daily job.
    for (const job of (['daily', 'growth'] as const).filter((j) => props.jobs.includes(j))) {
      this.add(`${job}RunMissing`, {
        alarmDescription: `No ${job} run completed in ${DAILY_COMPLETION_WINDOW_HOURS} hours (SellerGrader RunsCompleted, service=seller-grader, job=${job}). docs/operations.md#runbook.`,
        metric: runMetric('RunsCompleted', job, Duration.hours(1)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: DAILY_COMPLETION_WINDOW_HOURS,
        datapointsToAlarm: DAILY_COMPLETION_WINDOW_HOURS,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
  }

  private add(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number }): void {
    const alarm = new cloudwatch.Alarm(this, id, { evaluationPeriods: 1, ...props });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/**
 * A run metric, Sum per period. CloudWatch matches the whole dimension set, and Powertools Metrics
 * (functions/runMetrics.ts) adds `service` to the `job` dimension, so the alarm names both.
 */
function runMetric(metricName: 'RunsFailed' | 'RunsCompleted' | 'RunsOverdue', job: Job, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: RUN_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, job },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

export { DAILY_COMPLETION_WINDOW_HOURS, GraderAlarms, RUN_METRICS_NAMESPACE };
export type { GraderAlarmsProps };
