import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES, type TableName } from '../../functions/data/tables';
import type { GraderFunction } from '../../infra/constructs/function';
import { SellerGraderStack } from '../../infra/stack';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let stack: SellerGraderStack;
let template: Template;

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
});

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
/** A resolved ARN as a comparable key: the CloudFormation intrinsic it synthesizes to. */
const key = (arn: string): string => JSON.stringify(stack.resolve(arn));

/** Every statement of the identity policies attached to a role, as resource key → sorted actions. */
function grantsOf(roleLogicalId: string): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => list(policy.Properties.Roles).some((role: unknown) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })));
  for (const policy of policies) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      for (const resource of list(statement.Resource)) {
        const actions = (grants[JSON.stringify(resource)] ??= new Set());
        for (const action of list(statement.Action)) actions.add(action);
      }
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([resource, actions]) => [resource, [...actions].sort()]));
}

/** The expected grants: table actions as the issue lists them, Query on every index of the table. */
function expectedGrants(fn: GraderFunction, data: Partial<Record<TableName, { table: string[]; indexes?: string[] }>>, other: [string, string[]][]): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  const add = (arn: string, actions: string[]) => {
    expected[key(arn)] = [...new Set([...(expected[key(arn)] ?? []), ...actions])].sort();
  };
  add(fn.logGroup.logGroupArn, ['logs:CreateLogStream', 'logs:PutLogEvents']);
  for (const [name, access] of Object.entries(data) as [TableName, { table: string[]; indexes?: string[] }][]) {
    const table = stack.tables.byName[name];
    add(table.tableArn, access.table.map((action) => `dynamodb:${action}`));
    for (const index of TABLES[name].indexes) add(`${table.tableArn}/index/${index.indexName}`, (access.indexes ?? []).map((action) => `dynamodb:${action}`));
  }
  for (const [arn, actions] of other) add(arn, actions);
  return expected;
}

const JOB_DATA = {
  categories: { table: ['Scan'] },
  sellers: { table: ['Scan'] },
  metrics: { table: ['Query'] },
  quarantine: { table: ['Query'] },
  runs: { table: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] },
  grades: { table: ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'Query'], indexes: ['Query'] },
};

describe('the function roles', () => {
  it('lets the scheduled job read its inputs, write runs and grades, and send shard messages, and nothing else', () => {
    const { scheduledJob, shardQueue, failedInvocations } = stack.jobs;
    expect(grantsOf(logicalId(scheduledJob.role))).toEqual(expectedGrants(scheduledJob, JOB_DATA, [
      [shardQueue.queueArn, ['sqs:SendMessage']],
      [failedInvocations.queueArn, ['sqs:SendMessage']],
    ]));
  });

  it('lets the shard worker read its inputs, write runs and grades, and consume the shard queue, and nothing else', () => {
    const { shardWorker, shardQueue } = stack.jobs;
    expect(grantsOf(logicalId(shardWorker.role))).toEqual(expectedGrants(shardWorker, JOB_DATA, [
      // what the SQS event source needs to poll and delete
      [shardQueue.queueArn, ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']],
    ]));
  });

  it('lets the operator do what the scheduled job does, plus change sellers and update grades', () => {
    const { operator } = stack.operator;
    const { shardQueue, failedInvocations } = stack.jobs;
    expect(grantsOf(logicalId(operator.role))).toEqual(expectedGrants(operator, {
      ...JOB_DATA,
      sellers: { table: ['Scan', 'GetItem', 'PutItem', 'UpdateItem'] },
      grades: { table: [...JOB_DATA.grades.table, 'UpdateItem'], indexes: ['Query'] },
    }, [
      [shardQueue.queueArn, ['sqs:SendMessage']],
      [failedInvocations.queueArn, ['sqs:SendMessage']],
    ]));
  });

  it('never grants the operator a write to the metrics table', () => {
    const metricsActions = grantsOf(logicalId(stack.operator.operator.role))[key(stack.tables.byName.metrics.tableArn)];
    expect(metricsActions).toEqual(['dynamodb:Query']);
  });

  it('attaches no managed policy to any function role, so AWSLambdaBasicExecutionRole is not used', () => {
    for (const fn of [stack.jobs.scheduledJob, stack.jobs.shardWorker, stack.operator.operator]) {
      const role = template.findResources('AWS::IAM::Role')[logicalId(fn.role)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('lets the scheduler invoke only the job function and write only to its dead-letter queue', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    const roleLogicalId = schedule?.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(grantsOf(roleLogicalId)).toEqual({
      [key(stack.jobs.scheduledJob.function.functionArn)]: ['lambda:InvokeFunction'],
      [key(stack.schedules.deadLetters.queueArn)]: ['sqs:SendMessage'],
    });
  });

  it('offers operators a managed policy that invokes the operator function and nothing else', () => {
    const policy = template.findResources('AWS::IAM::ManagedPolicy')[logicalId(stack.operator.invokePolicy)];
    expect(policy?.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: stack.resolve(stack.operator.operator.function.functionArn) },
    ]);
  });
});

describe('every policy document in the stack', () => {
  /** Statements of identity, resource and trust policies, wherever a resource carries one. */
  function allStatements(): { where: string; statement: Statement }[] {
    const found: { where: string; statement: Statement }[] = [];
    const visit = (where: string, value: unknown): void => {
      if (Array.isArray(value)) value.forEach((item, i) => visit(`${where}[${i}]`, item));
      else if (value && typeof value === 'object') {
        for (const [name, child] of Object.entries(value)) {
          if (name === 'Statement' && Array.isArray(child)) child.forEach((statement: Statement) => found.push({ where, statement }));
          else visit(`${where}.${name}`, child);
        }
      }
    };
    for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, unknown>)) visit(id, resource);
    return found;
  }

  it('is found by the walk, so the checks below are not vacuous', () => {
    expect(allStatements().length).toBeGreaterThan(20);
  });

  it('never allows an action containing a wildcard, nor uses NotAction', () => {
    const offending = allStatements().filter(({ statement }) =>
      statement.NotAction !== undefined || (statement.Effect === 'Allow' && list(statement.Action).some((action) => action.includes('*'))));
    expect(offending).toEqual([]);
  });

  it('never allows a wildcard resource', () => {
    const offending = allStatements().filter(({ statement }) => statement.Effect === 'Allow' && list(statement.Resource).some((resource) => resource === '*'));
    expect(offending).toEqual([]);
  });

  it('uses a wildcard action only to deny requests that do not use TLS', () => {
    const wildcardDenies = allStatements().filter(({ statement }) => statement.Effect === 'Deny' && list(statement.Action).some((action) => action.includes('*')));
    expect(wildcardDenies.length).toBeGreaterThan(0);
    for (const { statement } of wildcardDenies) expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });
});
