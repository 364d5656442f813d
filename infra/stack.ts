import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { GraderAlarms } from './constructs/alarms';
import { GraderChangeEvents } from './constructs/changeEvents';
import { GraderJobs } from './constructs/jobs';
import { GraderListingFeed } from './constructs/listingFeed';
import { GraderOperator } from './constructs/operator';
import { GraderOrderFeed } from './constructs/orderFeed';
import { GraderSchedules, JOB_SCHEDULES } from './constructs/schedules';
import { GraderTables } from './constructs/tables';

interface SellerGraderStackProps extends StackProps {
  /** an address subscribed to the alarm topic (cdk.json context `alarmEmail`) */
  alarmEmail?: string;
}

/** The seller grader on AWS: tables, scheduled jobs with their SQS fan-out, the operator, alarms. */
class SellerGraderStack extends Stack {
  readonly tables: GraderTables;
  readonly jobs: GraderJobs;
  readonly operator: GraderOperator;
  readonly orderFeed: GraderOrderFeed;
  readonly listingFeed: GraderListingFeed;
  readonly changeEvents: GraderChangeEvents;
  readonly schedules: GraderSchedules;
  readonly alarms: GraderAlarms;

  constructor(scope: Construct, id: string, props: SellerGraderStackProps = {}) {
    super(scope, id, { description: 'Seller grading engine: scheduled jobs, grade tables and stream, operator function', ...props });
    Tags.of(this).add('project', 'seller-grader');

    this.tables = new GraderTables(this, 'Tables');
    this.jobs = new GraderJobs(this, 'Jobs', { tables: this.tables.byName });
    this.changeEvents = new GraderChangeEvents(this, 'ChangeEvents', { tables: this.tables.byName, shardQueue: this.jobs.shardQueue });
    this.operator = new GraderOperator(this, 'Operator', {
      tables: this.tables.byName,
      shardQueue: this.jobs.shardQueue,
      failedInvocations: this.jobs.failedInvocations,
      bus: this.changeEvents.bus,
    });
    this.orderFeed = new GraderOrderFeed(this, 'OrderFeed', { tables: this.tables.byName, shardQueue: this.jobs.shardQueue });
    this.listingFeed = new GraderListingFeed(this, 'ListingFeed', { tables: this.tables.byName, shardQueue: this.jobs.shardQueue });
    this.schedules = new GraderSchedules(this, 'Schedules', { scheduledJob: this.jobs.scheduledJob.function });
    this.alarms = new GraderAlarms(this, 'Alarms', {
      functions: {
        ScheduledJob: this.jobs.scheduledJob.function,
        ShardWorker: this.jobs.shardWorker.function,
        Operator: this.operator.operator.function,
        OrderIngest: this.orderFeed.ingest.function,
        ListingIngest: this.listingFeed.ingest.function,
        ChangeEvents: this.changeEvents.consumer.function,
      },
      deadLetterQueues: {
        ScheduleDeadLetters: this.schedules.deadLetters,
        ShardDeadLetters: this.jobs.shardDeadLetters,
        FailedInvocations: this.jobs.failedInvocations,
        OrderDeadLetters: this.orderFeed.deadLetters,
        ListingDeadLetters: this.listingFeed.deadLetters,
        StreamDeadLetters: this.changeEvents.deadLetters,
      },
      backlogs: { OrderOutcomes: this.orderFeed.queue, Listings: this.listingFeed.queue },
      jobs: JOB_SCHEDULES.map(({ job }) => job),
      email: props.alarmEmail,
    });

    // Names the runbook in docs/operations.md refers to.
    const outputs: Record<string, string> = {
      OperatorFunctionName: this.operator.operator.function.functionName,
      OperatorInvokePolicyArn: this.operator.invokePolicy.managedPolicyArn,
      ScheduledJobFunctionName: this.jobs.scheduledJob.function.functionName,
      GradesTableName: this.tables.byName.grades.tableName,
      GradesStreamArn: this.tables.byName.grades.tableStreamArn ?? '',
      RunsTableName: this.tables.byName.runs.tableName,
      ShardQueueArn: this.jobs.shardQueue.queueArn,
      ShardDeadLetterQueueArn: this.jobs.shardDeadLetters.queueArn,
      ScheduleDeadLetterQueueUrl: this.schedules.deadLetters.queueUrl,
      FailedInvocationsQueueUrl: this.jobs.failedInvocations.queueUrl,
      AlarmTopicArn: this.alarms.topic.topicArn,
      OrderFeedQueueUrl: this.orderFeed.queue.queueUrl,
      OrderFeedSendPolicyArn: this.orderFeed.sendPolicy.managedPolicyArn,
      OrdersTableName: this.tables.byName.orders.tableName,
      ListingFeedQueueUrl: this.listingFeed.queue.queueUrl,
      ListingFeedSendPolicyArn: this.listingFeed.sendPolicy.managedPolicyArn,
      ChangeEventBusName: this.changeEvents.bus.eventBusName,
      ChangeEventBusArn: this.changeEvents.bus.eventBusArn,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

export { SellerGraderStack };
export type { SellerGraderStackProps };
