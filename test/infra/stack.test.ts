import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_LIST, type TABLES } from '../../functions/data/tables';
import { GraderAlarms } from '../../infra/constructs/alarms';
import { SellerGraderStack } from '../../infra/stack';

// The tables, the schedules and the alarms, on one synthesis of the stack.

type Dimension = { Name: string; Value: unknown };
interface AlarmProperties {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions: unknown[];
}

let stack: SellerGraderStack;
let template: Template;
let tables: ReturnType<Template['findResources']>;
let alarms: AlarmProperties[];

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
  tables = template.findResources('AWS::DynamoDB::Table');
  alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as AlarmProperties);
});

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

function tableResource(name: keyof typeof TABLES) {
  const resource = tables[logicalId(stack.tables.byName[name])];
  if (!resource) throw new Error(`no table resource for ${name}`);
  return resource;
}

describe('the tables', () => {
  it('are one per definition in functions/data/tables.ts', () => {
    expect(Object.keys(tables)).toHaveLength(TABLE_LIST.length);
  });

  it('have the key schema and indexes of their definitions', () => {
    for (const definition of TABLE_LIST) {
      const keySchema = [
        { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      const properties = tableResource(definition.logicalName).Properties;
      expect(properties.KeySchema, definition.logicalName).toEqual(keySchema);
      const indexes = (properties.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown }[];
      expect(
        indexes.map((index) => index.IndexName),
        definition.logicalName,
      ).toEqual(definition.indexes.map((index) => index.indexName));
      for (const index of definition.indexes) {
        const resource = indexes.find((candidate) => candidate.IndexName === index.indexName);
        expect(resource?.KeySchema).toEqual([
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ]);
      }
    }
  });

  it('bill on demand', () => {
    for (const resource of Object.values(tables)) expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('keep point-in-time recovery on', () => {
    for (const resource of Object.values(tables)) {
      expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('are encrypted at rest with the AWS-managed DynamoDB key', () => {
    // SSEEnabled without a key id is KMS with aws/dynamodb; absent would be the AWS-owned key.
    for (const resource of Object.values(tables)) expect(resource.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('are protected from deletion and kept when the stack or the resource goes', () => {
    for (const resource of Object.values(tables)) {
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('stream only the grades table, with new and old images', () => {
    expect(tableResource('grades').Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const streamed = TABLE_LIST.filter((definition) => tableResource(definition.logicalName).Properties.StreamSpecification !== undefined);
    expect(streamed.map((definition) => definition.logicalName)).toEqual(['grades']);
  });

  it('expire grades records through TTL on expiresAt', () => {
    expect(tableResource('grades').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});

/** SPEC §2, at 03:00 business time; growth at 04:00. */
const EXPECTED = [
  { job: 'daily', expression: 'cron(0 3 * * ? *)' },
  { job: 'monthly', expression: 'cron(0 3 2 * ? *)' },
  { job: 'quarterly', expression: 'cron(0 3 10 1,4,7,10 ? *)' },
  { job: 'growth', expression: 'cron(0 4 * * ? *)' },
] as const;

describe('the schedules', () => {
  it('are exactly the daily, monthly, quarterly and growth jobs', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', EXPECTED.length);
  });

  for (const { job, expression } of EXPECTED) {
    describe(`the ${job} schedule`, () => {
      const properties = () => {
        const found = template.findResources('AWS::Scheduler::Schedule')[logicalId(stack.schedules.schedules[job])];
        if (!found) throw new Error(`no ${job} schedule`);
        return found.Properties;
      };

      it(`fires on ${expression} in America/Los_Angeles, on time`, () => {
        expect(properties().ScheduleExpression).toBe(expression);
        expect(properties().ScheduleExpressionTimezone).toBe('America/Los_Angeles');
        expect(properties().FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
        expect(properties().State).toBe('ENABLED');
      });

      it('invokes the scheduled job with the job name and the scheduled time', () => {
        expect(properties().Target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack.jobs.scheduledJob.function), 'Arn'] });
        expect(JSON.parse(properties().Target.Input as string)).toEqual({ job, scheduledTime: '<aws.scheduler.scheduled-time>' });
      });

      it('retries four times within six hours, then puts the event in the schedule dead-letter queue', () => {
        expect(properties().Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 6 * 3600 });
        expect(properties().Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(stack.schedules.deadLetters), 'Arn'] } });
      });
    });
  }

  it('lets only the scheduler service, on behalf of this account, assume the schedule role', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    const role = template.findResources('AWS::IAM::Role')[schedule!.Properties.Target.RoleArn['Fn::GetAtt'][0] as string];
    const [statement] = role!.Properties.AssumeRolePolicyDocument.Statement as { Principal: unknown; Condition: { StringEquals: Record<string, unknown> } }[];
    expect(statement?.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement?.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });
});

const dimensionSet = (dimensions: Dimension[]) => JSON.stringify([...dimensions].sort((a, b) => a.Name.localeCompare(b.Name)));
const alarmsOn = (metricName: string, ...dimensions: Dimension[]) =>
  alarms.filter((alarm) => alarm.MetricName === metricName && dimensionSet(alarm.Dimensions) === dimensionSet(dimensions));
// Powertools Metrics emits `service` beside `job`; CloudWatch only matches the full dimension set.
const SERVICE = { Name: 'service', Value: 'seller-grader' };

describe('the alarms', () => {
  it('fire on any error of each function', () => {
    for (const fn of [stack.jobs.scheduledJob, stack.jobs.shardWorker, stack.operator.operator]) {
      const [alarm, ...others] = alarmsOn('Errors', { Name: 'FunctionName', Value: { Ref: logicalId(fn.function) } });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('fire as soon as the schedule, shard, failed-invocation or listing-feed dead-letter queue holds a message', () => {
    for (const queue of [stack.schedules.deadLetters, stack.jobs.shardDeadLetters, stack.jobs.failedInvocations, stack.listingFeed.deadLetters]) {
      const [alarm, ...others] = alarmsOn('ApproximateNumberOfMessagesVisible', {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] },
      });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('fire on any error of the listing ingestion, and when the listing feed has held a message for over an hour', () => {
    const [errors, ...moreErrors] = alarmsOn('Errors', { Name: 'FunctionName', Value: { Ref: logicalId(stack.listingFeed.ingest.function) } });
    expect(moreErrors).toEqual([]);
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const [age, ...moreAges] = alarmsOn('ApproximateAgeOfOldestMessage', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [logicalId(stack.listingFeed.queue), 'QueueName'] },
    });
    expect(moreAges).toEqual([]);
    expect(age).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('fire when a run of any job ends as failed', () => {
    for (const job of ['daily', 'monthly', 'quarterly', 'growth']) {
      const [alarm, ...others] = alarmsOn('RunsFailed', SERVICE, { Name: 'job', Value: job });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({
        Namespace: 'SellerGrader',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it.each(['daily', 'growth'])('fire when no %s run completed for a day and its slack, counting missing data as breaching', (job) => {
    const [alarm, ...others] = alarmsOn('RunsCompleted', SERVICE, { Name: 'job', Value: job });
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Namespace: 'SellerGrader',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    // Every hourly period of the window must be empty: no completion in 28 hours.
    expect(alarm?.Period).toBe(3600);
    expect(alarm?.EvaluationPeriods).toBe(28);
    expect(alarm?.DatapointsToAlarm).toBe(28);
    // CloudWatch's limit on an alarm's range for periods of an hour or more: 7 days.
    expect(alarm!.Period * alarm!.EvaluationPeriods).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it('fire when the monthly or quarterly period due by now has no successful run (the daily job publishes RunsOverdue)', () => {
    for (const job of ['monthly', 'quarterly']) {
      const [alarm, ...others] = alarmsOn('RunsOverdue', SERVICE, { Name: 'job', Value: job });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({
        Namespace: 'SellerGrader',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('all notify the alarm topic', () => {
    // errors of 6 functions, 6 dead-letter queues, the order and listing feeds' backlogs, 4 failed-run, 2 overdue, the daily- and growth-missing alarms
    expect(alarms.length).toBe(22);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stack.alarms.topic) }]);
  });

  it('publish to a topic that refuses publishers without TLS and lets CloudWatch alarms of this account publish', () => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const topic = { Ref: logicalId(stack.alarms.topic) };
    expect(policy?.Properties.Topics).toEqual([topic]);
    expect(policy?.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Resource: topic, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: topic,
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    ]);
  });

  it('subscribe the address given as alarmEmail to the topic, and nobody otherwise', () => {
    // The construct alone, on imported resources: no second bundling of the functions.
    const scope = new Stack(new App(), 'AlarmsOnly');
    new GraderAlarms(scope, 'Alarms', {
      functions: { Job: lambda.Function.fromFunctionName(scope, 'Job', 'job') },
      deadLetterQueues: { Failures: sqs.Queue.fromQueueArn(scope, 'Failures', 'arn:aws:sqs:us-west-2:123456789012:failures') },
      jobs: ['daily'],
      email: 'ops@example.com',
    });
    Template.fromStack(scope).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
