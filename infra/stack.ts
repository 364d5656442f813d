import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { GraderAlarms } from './constructs/alarms';
import { GraderJobs } from './constructs/jobs';
import { GraderOperator } from './constructs/operator';
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
  readonly schedules: GraderSchedules;
  readonly alarms: GraderAlarms;

  constructor(scope: Construct, id: string, props: SellerGraderStackProps = {}) {
    super(scope, id, { description: 'Seller grading engine: scheduled jobs, grade tables and stream, operator function', ...props });
    Tags.of(this).add('project', 'seller-grader');

    this.tables = new GraderTables(this, 'Tables');
    this.jobs = new GraderJobs(this, 'Jobs', { tables: this.tables.byName });
    this.operator = new GraderOperator(this, 'Operator', {
      tables: this.tables.byName,
      shardQueue: this.jobs.shardQueue,
      failedInvocations: this.jobs.failedInvocations,
    });
    this.schedules = new GraderSchedules(this, 'Schedules', { scheduledJob: this.jobs.scheduledJob.function });
    this.alarms = new GraderAlarms(this, 'Alarms', {
      functions: {
        ScheduledJob: this.jobs.scheduledJob.function,
        ShardWorker: this.jobs.shardWorker.function,
        Operator: this.operator.operator.function,
      },
      deadLetterQueues: {
        ScheduleDeadLetters: this.schedules.deadLetters,
        ShardDeadLetters: this.jobs.shardDeadLetters,
        FailedInvocations: this.jobs.failedInvocations,
      },
      jobs: JOB_SCHEDULES.map(({ job }) => job),
      email: props.alarmEmail,
    });

    new CfnOutput(this, 'OperatorFunctionName', { value: this.operator.operator.function.functionName });
    new CfnOutput(this, 'OperatorInvokePolicyArn', { value: this.operator.invokePolicy.managedPolicyArn });
    new CfnOutput(this, 'GradesTableName', { value: this.tables.byName.grades.tableName });
    new CfnOutput(this, 'GradesStreamArn', { value: this.tables.byName.grades.tableStreamArn ?? '' });
    new CfnOutput(this, 'ShardQueueUrl', { value: this.jobs.shardQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}

export { SellerGraderStack };
export type { SellerGraderStackProps };
