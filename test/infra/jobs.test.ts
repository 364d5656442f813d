import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_LIST } from '../../functions/data/tables';
import type { GraderFunction } from '../../infra/constructs/function';
import { SellerGraderStack } from '../../infra/stack';

let stack: SellerGraderStack;
let template: Template;
let functions: Record<string, GraderFunction>;

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
  functions = { scheduledJob: stack.jobs.scheduledJob, shardWorker: stack.jobs.shardWorker, operator: stack.operator.operator };
});

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const resource = (type: string, construct: IConstruct) => {
  const found = template.findResources(type)[logicalId(construct)];
  if (!found) throw new Error(`no ${type} for ${construct.node.path}`);
  return found;
};
const fnProperties = (fn: GraderFunction) => resource('AWS::Lambda::Function', fn.function).Properties;

describe('the house function', () => {
  it('builds exactly three functions', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it('runs every function on the latest Node.js runtime on arm64', () => {
    for (const fn of Object.values(functions)) {
      expect(fnProperties(fn).Runtime).toBe('nodejs24.x');
      expect(fnProperties(fn).Architectures).toEqual(['arm64']);
    }
  });

  it('logs JSON into a log group of its own with a retention', () => {
    for (const fn of Object.values(functions)) {
      expect(fnProperties(fn).LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
        LogGroup: { Ref: logicalId(fn.logGroup) },
      });
      expect(resource('AWS::Logs::LogGroup', fn.logGroup).Properties.RetentionInDays).toBe(90);
    }
  });

  it('gives the jobs one full vCPU and five minutes', () => {
    for (const fn of Object.values(functions)) {
      expect(fnProperties(fn).MemorySize).toBe(1769);
      expect(fnProperties(fn).Timeout).toBe(300);
    }
  });

  it('tells every function every table name, the shard queue URL, the service name and the business time zone', () => {
    for (const fn of Object.values(functions)) {
      const variables = fnProperties(fn).Environment.Variables;
      for (const definition of TABLE_LIST) {
        expect(variables[definition.envVar], definition.envVar).toEqual({ Ref: logicalId(stack.tables.byName[definition.logicalName]) });
      }
      expect(variables.SHARD_QUEUE_URL).toEqual({ Ref: logicalId(stack.jobs.shardQueue) });
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('seller-grader');
      expect(variables.GRADER_TIME_ZONE).toBe('America/Los_Angeles');
    }
  });

  it('sends a failed asynchronous invocation of the scheduled job or the operator to the failed-invocations queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    for (const fn of [functions.scheduledJob, functions.operator]) {
      const config = configs.find((candidate) => candidate.Properties.FunctionName.Ref === logicalId(fn!.function));
      expect(config?.Properties).toMatchObject({
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.jobs.failedInvocations), 'Arn'] } } },
        MaximumRetryAttempts: 2,
      });
    }
    expect(configs).toHaveLength(2);
  });
});

describe('the shard fan-out', () => {
  it('feeds the shard worker one shard per message, reporting failures per message, at most 20 at once', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.jobs.shardQueue), 'Arn'] },
      FunctionName: { Ref: logicalId(functions.shardWorker!.function) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('hides a shard in flight for at least six times the worker timeout', () => {
    const visibility = resource('AWS::SQS::Queue', stack.jobs.shardQueue).Properties.VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * fnProperties(functions.shardWorker!).Timeout);
  });

  it('moves a shard that failed three deliveries to the shard dead-letter queue', () => {
    expect(resource('AWS::SQS::Queue', stack.jobs.shardQueue).Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.jobs.shardDeadLetters), 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('encrypts every queue and keeps failures for 14 days', () => {
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const queue of [stack.jobs.shardDeadLetters, stack.jobs.failedInvocations, stack.schedules.deadLetters]) {
      expect(resource('AWS::SQS::Queue', queue).Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
  });

  it('refuses any request to any queue that does not use TLS', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    for (const queueId of queues) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: queueId }]));
      expect(policy?.Properties.PolicyDocument.Statement, queueId).toContainEqual({
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
    }
  });
});

describe('the operator function', () => {
  it('has no function URL', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it('has no resource policy, so only IAM principals allowed lambda:InvokeFunction can invoke it', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(permissions).toEqual([]);
  });
});
