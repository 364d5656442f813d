import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_LIST, TABLES, type TableName } from '../../functions/data/tables';
import { claimSpanMs } from '../../functions/jobs/invocationFence';
import type { GraderFunction } from '../../infra/constructs/function';
import { SellerGraderStack } from '../../infra/stack';
import { SQS_QUEUE_ACTIONS } from '../../infra/constructs/jobs';

// The functions, their fan-out and their permissions, on one synthesis of the stack.

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let stack: SellerGraderStack;
let template: Template;
let functions: Record<string, GraderFunction>;

beforeAll(() => {
  stack = new SellerGraderStack(new App(), 'SellerGrader');
  template = Template.fromStack(stack);
  functions = {
    scheduledJob: stack.jobs.scheduledJob,
    shardWorker: stack.jobs.shardWorker,
    operator: stack.operator.operator,
    orderIngest: stack.orderFeed.ingest,
    listingIngest: stack.listingFeed.ingest,
  };
  // the stream consumer gets a minute: a batch of 100 stream records is a few PutEvents calls
});

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const resource = (type: string, construct: IConstruct) => {
  const found = template.findResources(type)[logicalId(construct)];
  if (!found) throw new Error(`no ${type} for ${construct.node.path}`);
  return found;
};
const fnProperties = (fn: GraderFunction) => resource('AWS::Lambda::Function', fn.function).Properties;

describe('the functions', () => {
  it('are exactly six', () => {
    template.resourceCountIs('AWS::Lambda::Function', 6);
  });

  it('run on the latest Node.js runtime on arm64', () => {
    for (const fn of Object.values(functions)) {
      expect(fnProperties(fn).Runtime).toBe('nodejs24.x');
      expect(fnProperties(fn).Architectures).toEqual(['arm64']);
    }
  });

  it('log JSON into a log group of their own with a retention', () => {
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

  it('get one full vCPU and five minutes', () => {
    for (const fn of Object.values(functions)) {
      expect(fnProperties(fn).MemorySize).toBe(1769);
      expect(fnProperties(fn).Timeout).toBe(300);
    }
  });

  it('know every table name, the shard queue URL, the service name and the business time zone', () => {
    for (const fn of Object.values(functions)) {
      const variables = fnProperties(fn).Environment.Variables;
      for (const definition of TABLE_LIST) {
        expect(variables[definition.envVar], definition.envVar).toEqual({ Ref: logicalId(stack.tables.byName[definition.logicalName]) });
      }
      expect(variables.SHARD_QUEUE_URL).toEqual({ Ref: logicalId(stack.jobs.shardQueue) });
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('seller-grader');
      // the business time zone is the policy's (timeZone), not a setting of its own
      expect(variables.GRADER_TIME_ZONE).toBeUndefined();
    }
  });

  it('send a failed asynchronous invocation of the scheduled job or the operator to the failed-invocations queue', () => {
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
  it('feeds the shard worker batches of up to 5 shards, reporting failures per message, at most 20 batches at once', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.jobs.shardQueue), 'Arn'] },
      FunctionName: { Ref: logicalId(functions.shardWorker!.function) },
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('hides a shard in flight for at least six times the worker timeout, past the time its claims outlast a timed-out worker', () => {
    const visibility = resource('AWS::SQS::Queue', stack.jobs.shardQueue).Properties.VisibilityTimeout as number;
    const timeout = fnProperties(functions.shardWorker!).Timeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    expect(visibility * 1000).toBeGreaterThan(claimSpanMs(timeout * 1000));
  });

  it('moves a shard that failed three deliveries to the shard dead-letter queue', () => {
    expect(resource('AWS::SQS::Queue', stack.jobs.shardQueue).Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.jobs.shardDeadLetters), 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('encrypts every queue and keeps failures for 14 days', () => {
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const queue of [stack.jobs.shardDeadLetters, stack.jobs.failedInvocations, stack.schedules.deadLetters, stack.listingFeed.deadLetters]) {
      expect(resource('AWS::SQS::Queue', queue).Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
  });

  it('refuses any request to any queue that does not use TLS', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    for (const queueId of queues) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: queueId }]));
      expect(policy?.Properties.PolicyDocument.Statement, queueId).toContainEqual({
        Action: SQS_QUEUE_ACTIONS,
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

/** A resolved ARN as a comparable key: the CloudFormation intrinsic it synthesizes to. */
const key = (arn: string): string => JSON.stringify(stack.resolve(arn));

/** Every statement of the identity policies attached to a role, as resource key → sorted actions. */
function grantsOf(roleLogicalId: string): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    list(policy.Properties.Roles).some((role: unknown) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })),
  );
  for (const policy of policies) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      expect(statement.Effect).toBe('Allow');
      // the one condition used: writes limited to items of some partition keys
      const leading = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      if (statement.Condition) expect(Object.keys(statement.Condition)).toEqual(['ForAllValues:StringLike']);
      for (const resource of list(statement.Resource)) {
        const actions = (grants[`${JSON.stringify(resource)}${leading ? ` if leading key ${JSON.stringify(leading)}` : ''}`] ??= new Set());
        for (const action of list(statement.Action)) actions.add(action);
      }
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([resource, actions]) => [resource, [...actions].sort()]));
}

/** The expected grants: table actions as the issue lists them, Query on every index of the table. */
function expectedGrants(
  fn: GraderFunction,
  data: Partial<Record<TableName, { table: string[]; indexes?: string[]; keyed?: { actions: string[]; leadingKeys: string[] } }>>,
  other: [string, string[]][],
): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  const add = (arn: string, actions: string[]) => {
    expected[key(arn)] = [...new Set([...(expected[key(arn)] ?? []), ...actions])].sort();
  };
  add(fn.logGroup.logGroupArn, ['logs:CreateLogStream', 'logs:PutLogEvents']);
  for (const [name, access] of Object.entries(data) as [
    TableName,
    { table: string[]; indexes?: string[]; keyed?: { actions: string[]; leadingKeys: string[] } },
  ][]) {
    const table = stack.tables.byName[name];
    if (access.table.length > 0)
      add(
        table.tableArn,
        access.table.map((action) => `dynamodb:${action}`),
      );
    if (access.keyed)
      expected[`${key(table.tableArn)} if leading key ${JSON.stringify(access.keyed.leadingKeys)}`] = access.keyed.actions.map((a) => `dynamodb:${a}`).sort();
    for (const index of access.indexes?.length ? TABLES[name].indexes : [])
      add(
        `${table.tableArn}/index/${index.indexName}`,
        (access.indexes ?? []).map((action) => `dynamodb:${action}`),
      );
  }
  for (const [arn, actions] of other) add(arn, actions);
  return expected;
}

const JOB_DATA = {
  categories: { table: ['Scan'] },
  sellers: { table: ['Scan'] },
  // a run folds pending order changes first: it rewrites order blocks, and no other item of the table
  metrics: { table: ['BatchGetItem', 'Query'], keyed: { actions: ['BatchWriteItem'], leadingKeys: ['orders#*'] } },
  orders: { table: [], indexes: ['Query'] },
  compliance: { table: ['Scan'] },
  quarantine: { table: ['Query'] },
  runs: { table: ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem', 'Query'] },
  grades: { table: ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'Query'], indexes: ['Query'] },
};

/** The runs items the order ingestion reads and writes (functions/data/ordersRepository.ts, referenceRepository.ts). */
const INGEST_RUNS_KEYS = ['orders#lock', 'orders#pending#*', 'reference'];
const INGEST_RUNS_ACTIONS = ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'];

describe('the function roles', () => {
  it('lets the scheduled job read its inputs, write runs and grades, and send shard messages, and nothing else', () => {
    const { scheduledJob, shardQueue, failedInvocations } = stack.jobs;
    expect(grantsOf(logicalId(scheduledJob.role))).toEqual(
      expectedGrants(scheduledJob, JOB_DATA, [
        [shardQueue.queueArn, ['sqs:SendMessage']],
        [failedInvocations.queueArn, ['sqs:SendMessage']],
      ]),
    );
  });

  it('lets the shard worker read its inputs, write runs and grades, and consume the shard queue, and nothing else', () => {
    const { shardWorker, shardQueue } = stack.jobs;
    expect(grantsOf(logicalId(shardWorker.role))).toEqual(
      expectedGrants(shardWorker, JOB_DATA, [
        // what the SQS event source needs to poll and delete
        [shardQueue.queueArn, ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']],
      ]),
    );
  });

  it('lets the operator do what the scheduled job does, plus change sellers, update grades and announce policy versions on the bus', () => {
    const { operator } = stack.operator;
    const { shardQueue, failedInvocations } = stack.jobs;
    expect(resource('AWS::Lambda::Function', operator.function).Properties.Environment.Variables.EVENT_BUS_NAME).toEqual(
      stack.resolve(stack.changeEvents.bus.eventBusName),
    );
    expect(grantsOf(logicalId(operator.role))).toEqual(
      expectedGrants(
        operator,
        {
          ...JOB_DATA,
          sellers: { table: ['Scan', 'GetItem', 'PutItem', 'UpdateItem'] },
          grades: { table: [...JOB_DATA.grades.table, 'UpdateItem'], indexes: ['Query'] },
          orders: { table: ['BatchGetItem', 'BatchWriteItem'], indexes: ['Query'] },
        },
        [
          [shardQueue.queueArn, ['sqs:SendMessage']],
          [failedInvocations.queueArn, ['sqs:SendMessage']],
          [stack.changeEvents.bus.eventBusArn, ['events:PutEvents']],
        ],
      ),
    );
  });

  it('never grants the operator a write to the metric rows: only to the order blocks beside them (leading key orders#)', () => {
    const grants = grantsOf(logicalId(stack.operator.operator.role));
    const metrics = key(stack.tables.byName.metrics.tableArn);
    expect(grants[metrics]).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    expect(grants[`${metrics} if leading key ["orders#*"]`]).toEqual(['dynamodb:BatchWriteItem']);
  });

  it('lets the order ingestion merge orders and mark seller-days (never fold: no metric block, no index), quarantine bad lines, and consume its queue', () => {
    const { ingest, queue } = stack.orderFeed;
    expect(grantsOf(logicalId(ingest.role))).toEqual(
      expectedGrants(
        ingest,
        {
          categories: { table: ['Scan'] },
          sellers: { table: ['Scan'] },
          orders: { table: ['BatchGetItem', 'BatchWriteItem'] },
          compliance: { table: ['BatchGetItem', 'BatchWriteItem'] },
          quarantine: { table: ['BatchWriteItem'] },
          runs: { table: [], keyed: { actions: INGEST_RUNS_ACTIONS, leadingKeys: INGEST_RUNS_KEYS } },
        },
        [[queue.queueArn, ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']]],
      ),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resource('AWS::SQS::Queue', queue).Properties.RedrivePolicy.deadLetterTargetArn).toEqual({
      'Fn::GetAtt': [logicalId(stack.orderFeed.deadLetters), 'Arn'],
    });
  });

  it('never grants the order ingestion an item of the runs table but the orders lock, its marks and the reference revision', () => {
    const grants = grantsOf(logicalId(stack.orderFeed.ingest.role));
    const runs = key(stack.tables.byName.runs.tableArn);
    expect(Object.keys(grants).filter((resource) => resource.startsWith(runs))).toEqual([`${runs} if leading key ${JSON.stringify(INGEST_RUNS_KEYS)}`]);
    expect(grants[`${runs} if leading key ${JSON.stringify(INGEST_RUNS_KEYS)}`]).toEqual(INGEST_RUNS_ACTIONS.map((a) => `dynamodb:${a}`));
  });

  it('lets the listing ingestion read categories and sellers, write the listing store on metrics and its own runs items, quarantine bad lines, and consume its queue, and nothing else', () => {
    const { ingest, queue, deadLetters, sendPolicy } = stack.listingFeed;
    expect(grantsOf(logicalId(ingest.role))).toEqual(
      expectedGrants(
        ingest,
        {
          categories: { table: ['Scan'] },
          sellers: { table: ['Scan'] },
          metrics: { table: ['BatchGetItem', 'BatchWriteItem', 'Query'] },
          quarantine: { table: ['BatchWriteItem'] },
          runs: {
            table: [],
            keyed: {
              actions: ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
              leadingKeys: ['reference', 'listingBlocks', 'listings#lock', 'import#listings#*'],
            },
          },
        },
        [[queue.queueArn, ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']]],
      ),
    );
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(ingest.function) }),
    )!;
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const properties = resource('AWS::SQS::Queue', queue).Properties;
    expect(properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(deadLetters), 'Arn'] }, maxReceiveCount: 5 });
    // AWS's rule for SQS event sources: at least six times the function timeout
    expect(properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fnProperties(ingest).Timeout);
    expect(resource('AWS::IAM::ManagedPolicy', sendPolicy).Properties.PolicyDocument.Statement).toEqual([
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: stack.resolve(queue.queueArn) },
    ]);
  });

  it('lets the change-event consumer read the grades stream, put events on the bus and record failed batches, and nothing else', () => {
    const { consumer, bus, deadLetters } = stack.changeEvents;
    const stream = stack.tables.byName.grades.tableStreamArn!;
    expect(grantsOf(logicalId(consumer.role))).toEqual(
      expectedGrants(consumer, {}, [
        [bus.eventBusArn, ['events:PutEvents']],
        [stream, ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']],
        [deadLetters.queueArn, ['sqs:SendMessage']],
      ]),
    );
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(consumer.function) }),
    )!;
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: stack.resolve(deadLetters.queueArn) } },
    });
    const filter = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern as string);
    // Lambda's filter rules on a string: an exact value, or { prefix }
    const rules = filter.dynamodb.Keys.sk.S as (string | { prefix: string })[];
    const passes = (sk: string) => rules.some((rule) => (typeof rule === 'string' ? rule === sk : sk.startsWith(rule.prefix)));
    const published = ['status', 'goodSellerGrant', 'healthCheck', 'listingStage#L0001', 'listingIncentive#L0001#2026-06-10'];
    const dropped = ['dailyScore#2026-06-10', 'operationTier#2026-07', 'serviceLevel#2026-07', 'merchantAssessment#2026-Q2', 'listing', 'statusX'];
    expect(published.filter(passes)).toEqual(published);
    expect(dropped.filter(passes)).toEqual([]);
  });

  it('attaches no managed policy to any function role, so AWSLambdaBasicExecutionRole is not used', () => {
    for (const fn of [stack.jobs.scheduledJob, stack.jobs.shardWorker, stack.operator.operator, stack.orderFeed.ingest, stack.listingFeed.ingest]) {
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
    const offending = allStatements().filter(
      ({ statement }) => statement.NotAction !== undefined || (statement.Effect === 'Allow' && list(statement.Action).some((action) => action.includes('*'))),
    );
    expect(offending).toEqual([]);
  });

  it('never allows a wildcard resource', () => {
    const offending = allStatements().filter(({ statement }) => statement.Effect === 'Allow' && list(statement.Resource).some((resource) => resource === '*'));
    expect(offending).toEqual([]);
  });

  it('has no statement with a wildcard action at all, not even a deny', () => {
    const wildcards = allStatements().filter(({ statement }) => list(statement.Action).some((action) => action.includes('*')));
    expect(wildcards).toEqual([]);
  });
});
