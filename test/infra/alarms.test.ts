import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraderAlarms } from '../../infra/constructs/alarms';
import { SellerGraderStack } from '../../infra/stack';

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
let alarms: AlarmProperties[];

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
  alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as AlarmProperties);
});

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
type Dimension = { Name: string; Value: unknown };
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
      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  it('fire as soon as the schedule, shard or failed-invocation dead-letter queue holds a message', () => {
    for (const queue of [stack.schedules.deadLetters, stack.jobs.shardDeadLetters, stack.jobs.failedInvocations]) {
      const [alarm, ...others] = alarmsOn('ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  it('fire when a run of any job ends as failed', () => {
    for (const job of ['daily', 'monthly', 'quarterly']) {
      const [alarm, ...others] = alarmsOn('RunsFailed', SERVICE, { Name: 'job', Value: job });
      expect(others).toEqual([]);
      expect(alarm).toMatchObject({ Namespace: 'SellerGrader', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  it('fire when no daily run completed for a day and its slack, counting missing data as breaching', () => {
    const [alarm, ...others] = alarmsOn('RunsCompleted', SERVICE, { Name: 'job', Value: 'daily' });
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ Namespace: 'SellerGrader', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    // Every hourly period of the window must be empty: no completion in 28 hours.
    expect(alarm?.Period).toBe(3600);
    expect(alarm?.EvaluationPeriods).toBe(28);
    expect(alarm?.DatapointsToAlarm).toBe(28);
    // CloudWatch's limit on an alarm's range for periods of an hour or more: 7 days.
    expect(alarm!.Period * alarm!.EvaluationPeriods).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it('all notify the alarm topic', () => {
    expect(alarms.length).toBe(10);
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
