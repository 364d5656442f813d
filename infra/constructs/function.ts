import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES, type TableName } from '../../functions/data/tables';
import { indexArn } from './tables';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Powertools service name: the `service` field of every log line and metric dimension. */
const SERVICE_NAME = 'seller-grader';

/** Settings every function shares; read by functions/ at cold start. */
const SERVICE_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  // Stack traces name the TypeScript lines; they are only built on the error path.
  NODE_OPTIONS: '--enable-source-maps',
  // a fold clears a seller-day's mark once the orders index has had this long to catch up (SPEC §3.4)
  GRADER_ORDER_SETTLE_SECONDS: '60',
};

type ItemAction = 'BatchGetItem' | 'BatchWriteItem' | 'DeleteItem' | 'GetItem' | 'PutItem' | 'UpdateItem' | 'Query' | 'Scan';
type IndexAction = 'Query' | 'Scan';

/** What a function may do on one table: exact actions on the table, and on each of its indexes. */
interface TableAccess {
  table: ItemAction[];
  /** granted on every index functions/data/tables.ts defines for the table */
  indexes?: IndexAction[];
  /** granted only on items whose partition key matches one of `leadingKeys` (IAM's dynamodb:LeadingKeys) */
  keyed?: { actions: ItemAction[]; leadingKeys: string[] };
}

/** A function's access to every table; every table is listed, so every function gets every table's name. */
type DataAccess = Record<TableName, TableAccess>;

interface GraderFunctionProps {
  /** handler file, relative to the project root, exporting `handler` */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  /** where Lambda puts an asynchronous invocation that failed all its attempts; omit for a queue consumer */
  onFailure?: sqs.IQueue;
}

/**
 * The house Lambda function: Node.js 24 on arm64, JSON logs into its own log group, a role with
 * no managed policy, and an on-failure destination for asynchronous invocations. Access is added
 * explicitly with bindTables() and sendsShardsTo().
 */
class GraderFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GraderFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    // Instead of AWSLambdaBasicExecutionRole: write to this log group only.
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: SERVICE_ENVIRONMENT,
      // Lambda's own retries of an asynchronous invocation; every job is idempotent (SPEC §8.2).
      ...(props.onFailure && { retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SendToQueue(props.onFailure) }),
      bundling: {
        // Ship the SDK version the tests ran against, not whichever one the runtime carries today.
        bundleAwsSDK: true,
        externalModules: [],
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // The SDK's CommonJS parts call require() for Node built-ins, which ESM lacks.
        banner: "import { createRequire as __graderCreateRequire } from 'node:module'; const require = __graderCreateRequire(import.meta.url);",
        target: 'node24',
        minify: true,
        // Error and class names stay readable in the JSON logs.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });
  }

  /** Sets each table's name variable and grants exactly the listed actions on the table and its indexes. */
  bindTables(tables: Record<TableName, dynamodb.ITable>, access: DataAccess): void {
    for (const name of Object.keys(access) as TableName[]) {
      const table = tables[name];
      const { table: actions, indexes: indexActions = [], keyed } = access[name];
      const indexNames = TABLES[name].indexes.map((index) => index.indexName);
      this.function.addEnvironment(TABLES[name].envVar, table.tableName);
      if (actions.length > 0) {
        this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: actions.map(dynamodbAction), resources: [table.tableArn] }));
      }
      if (keyed) {
        this.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: keyed.actions.map(dynamodbAction),
            resources: [table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keyed.leadingKeys } },
          }),
        );
      }
      if (indexActions.length > 0) {
        if (indexNames.length === 0) throw new Error(`table ${name} has no index to grant ${indexActions.join(', ')} on: see functions/data/tables.ts`);
        this.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: indexActions.map(dynamodbAction),
            resources: indexNames.map((indexName) => indexArn(table, indexName)),
          }),
        );
      }
    }
  }

  /** Lets the function send shard messages to the queue and tells it the queue's URL. */
  sendsShardsTo(queue: sqs.IQueue): void {
    this.function.addEnvironment('SHARD_QUEUE_URL', queue.queueUrl);
    // SendMessageBatch is authorised by sqs:SendMessage.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  }
}

/** An on-failure destination that grants sqs:SendMessage alone (SqsDestination adds two read actions). */
class SendToQueue implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    return { destination: this.queue.queueArn };
  }
}

function dynamodbAction(action: ItemAction): string {
  return `dynamodb:${action}`;
}

export { GraderFunction, SERVICE_NAME };
export type { DataAccess, GraderFunctionProps, TableAccess };
